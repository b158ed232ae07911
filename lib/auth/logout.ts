/**
 * Sign-out ends the session on the server. Whatever the client presents (an access token, a
 * refresh token, both, or rubbish) the answer is the same 204, so logout is idempotent and can
 * never fail in a way that leaves the user believing they are signed out when they are not.
 *
 * A session bound to a browser key (DPoP) is ended only with a proof of that key: a token copied
 * out of the browser must not be able to sign its owner out. Such a refused sign-out ends nothing,
 * still answers 204, and is on record.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { log } from '../log';
import type { AuthDeps, ClientInfo } from './deps';
import { isRefused, type PresentedProof } from './dpop';
import { recordKeyRefusal } from './session-key';
import { revokeSession } from './sessions';

type Named = { sid: string; sub: string; jkt: string | null };

/** The claims of a token we signed, or null for anything else (expired, forged, rubbish). */
async function claimsOrNull(verification: Promise<Named>): Promise<Named | null> {
  try {
    const { sid, sub, jkt } = await verification;
    return { sid, sub, jkt };
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

/**
 * Revokes the session(s) the presented tokens belong to: how many were live, and whether one of
 * them began through single sign-on (then the browser may sign out at the provider too).
 */
export async function logout(
  deps: AuthDeps,
  presented: { accessToken?: string | undefined; refreshToken?: string | undefined },
  client: ClientInfo = { userAgent: null, ip: null },
  proof: PresentedProof = null,
): Promise<{ revoked: number; sso: boolean }> {
  const named = new Map<string, Named>();
  for (const claims of await Promise.all([
    presented.refreshToken ? claimsOrNull(deps.tokens.verifyRefresh(presented.refreshToken, deps.now())) : null,
    presented.accessToken ? claimsOrNull(deps.tokens.verifyAccess(presented.accessToken, deps.now())) : null,
  ])) {
    if (claims && !named.has(claims.sid)) named.set(claims.sid, claims);
  }
  const valid = isRefused(proof) ? null : proof;
  let revoked = 0;
  let sso = false;
  for (const { sid, sub, jkt } of named.values()) {
    const session = await deps.store.findSession(sid);
    // A refresh token names its key (cnf.jkt); an access token's session is looked up, since access
    // tokens are Bearer tokens unless DPOP_ACCESS_TOKENS.
    const bound = jkt ?? session?.dpopJkt ?? null;
    if (bound !== null && valid?.jkt !== bound) {
      const what = isRefused(proof) ? 'invalid' : proof ? 'another key' : 'none';
      await recordKeyRefusal(deps, { id: sid, userId: sub }, what, {
        client,
        event: 'request.dpop_refused',
        action: 'sign-out',
      });
      continue;
    }
    if (await revokeSession(deps, sid, 'logout')) {
      revoked += 1;
      if (session?.userId === sub && session.ssoIssuer !== null) sso = true;
      log.info('signed out', { event: 'logout', sessionId: sid });
      await recordEvent(
        deps.store,
        { type: 'session.revoked', userId: sub, actorId: sub, sessionId: sid, client, detail: { reason: 'logout' } },
        deps.now(),
      );
    }
  }
  return { revoked, sso };
}
