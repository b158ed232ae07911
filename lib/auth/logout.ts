/**
 * Sign-out ends the session on the server. Whatever the client presents (an access token, a
 * refresh token, both, or rubbish) the answer is the same 204, so logout is idempotent and can
 * never fail in a way that leaves the user believing they are signed out when they are not.
 */
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { log } from '../log';
import type { AuthDeps, ClientInfo } from './deps';
import type { VerifiedProof } from './dpop';
import { revokeSession } from './sessions';

/**
 * The claims of a token we signed, or null for anything else (expired, forged, rubbish), and for a
 * DPoP-bound token presented without a proof of its key: a token copied out of the browser must
 * not be able to sign its owner out either.
 */
async function claimsOrNull(
  verification: Promise<{ sid: string; sub: string; jkt: string | null }>,
  proof: VerifiedProof | null,
) {
  try {
    const { sid, sub, jkt } = await verification;
    if (jkt !== null && proof?.jkt !== jkt) return null;
    return { sid, sub };
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

/**
 * An access token of a session bound to a browser key ends it only with a proof of that key:
 * access tokens are Bearer tokens (unless DPOP_ACCESS_TOKENS), so the token alone says nothing
 * about the key, and a copy of it must not sign its owner out.
 */
async function provesSessionKey(deps: AuthDeps, sid: string, proof: VerifiedProof | null): Promise<boolean> {
  const session = await deps.store.findSession(sid);
  return !session || session.dpopJkt === null || proof?.jkt === session.dpopJkt;
}

/** Revokes the session(s) the presented tokens belong to; returns how many were live. */
export async function logout(
  deps: AuthDeps,
  presented: { accessToken?: string | undefined; refreshToken?: string | undefined },
  client: ClientInfo = { userAgent: null, ip: null },
  proof: VerifiedProof | null = null,
): Promise<number> {
  const fromRefresh = presented.refreshToken
    ? await claimsOrNull(deps.tokens.verifyRefresh(presented.refreshToken, deps.now()), proof)
    : null;
  let fromAccess = presented.accessToken
    ? await claimsOrNull(deps.tokens.verifyAccess(presented.accessToken, deps.now()), proof)
    : null;
  // A refresh token names its key itself (cnf.jkt); an access token's session is looked up.
  if (fromAccess && fromAccess.sid !== fromRefresh?.sid && !(await provesSessionKey(deps, fromAccess.sid, proof))) {
    fromAccess = null;
  }
  let revoked = 0;
  for (const { sid, sub } of new Map(
    [fromRefresh, fromAccess].flatMap((f) => (f ? [[f.sid, f] as const] : [])),
  ).values()) {
    if (await revokeSession(deps, sid, 'logout')) {
      revoked += 1;
      log.info('signed out', { event: 'logout', sessionId: sid });
      await recordEvent(
        deps.store,
        { type: 'session.revoked', userId: sub, actorId: sub, sessionId: sid, client, detail: { reason: 'logout' } },
        deps.now(),
      );
    }
  }
  return revoked;
}
