/**
 * Sign-out ends the session on the server. Whatever the client presents (an access token, a
 * refresh token, both, or rubbish) the answer is the same 204, so logout is idempotent and can
 * never fail in a way that leaves the user believing they are signed out when they are not.
 */
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { log } from '../log';
import type { AuthDeps, ClientInfo } from './deps';
import { revokeSession } from './sessions';

/** The claims of a token we signed, or null for anything else (expired, forged, rubbish). */
async function claimsOrNull(verification: Promise<{ sid: string; sub: string }>) {
  try {
    const { sid, sub } = await verification;
    return { sid, sub };
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

/** Revokes the session(s) the presented tokens belong to; returns how many were live. */
export async function logout(
  deps: AuthDeps,
  presented: { accessToken?: string | undefined; refreshToken?: string | undefined },
  client: ClientInfo = { userAgent: null, ip: null },
): Promise<number> {
  const found = await Promise.all([
    presented.refreshToken ? claimsOrNull(deps.tokens.verifyRefresh(presented.refreshToken, deps.now())) : null,
    presented.accessToken ? claimsOrNull(deps.tokens.verifyAccess(presented.accessToken, deps.now())) : null,
  ]);
  let revoked = 0;
  for (const { sid, sub } of new Map(found.flatMap((f) => (f ? [[f.sid, f] as const] : []))).values()) {
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
