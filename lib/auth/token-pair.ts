/** Signs an access + refresh pair (lib/edge/token-response.ts shapes it for the wire). */
import 'server-only';
import type { AuthDeps } from './deps';
import type { Role } from '../users/roles';
import { parseAmr } from './authentication';

export type TokenPair = {
  accessToken: string;
  refreshToken: string;
  /** Seconds from now, as sent to the client. */
  expiresIn: number;
  refreshExpiresIn: number;
  /** 'DPoP' when the access token is bound to the browser key too (DPOP_ACCESS_TOKENS). */
  tokenType: 'bearer' | 'DPoP';
};

export function signPair(
  deps: AuthDeps,
  subject: { userId: string; role: Role; sessionId: string; auth: { at: Date; amr: string } },
  refresh: { generation: number; expiresAt: Date; jkt?: string | null },
): TokenPair {
  const now = deps.now();
  // JWT times are whole seconds; iat is now rounded down, and lifetimes count from it.
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const refreshExp = Math.floor(refresh.expiresAt.getTime() / 1000);
  // Never past the refresh token, and so never past the session's absolute end.
  const accessExp = Math.min(
    nowSeconds + Math.max(1, Math.round(deps.policy.accessTokenSeconds)),
    Math.max(nowSeconds + 1, refreshExp),
  );
  // Access tokens stay Bearer unless DPOP_ACCESS_TOKENS: then a bound session's are bound too.
  const accessJkt = deps.policy.dpopAccessTokens ? (refresh.jkt ?? null) : null;
  const accessToken = deps.tokens.signAccess(
    {
      sub: subject.userId,
      sid: subject.sessionId,
      role: subject.role,
      jkt: accessJkt,
      authTime: Math.floor(subject.auth.at.getTime() / 1000),
      amr: parseAmr(subject.auth.amr),
    },
    accessExp,
    now,
  );
  // A DPoP-bound session's refresh token names its key (cnf.jkt, RFC 9449 §6.1).
  const refreshToken = deps.tokens.signRefresh(
    { sub: subject.userId, sid: subject.sessionId, gen: refresh.generation, jkt: refresh.jkt ?? null },
    refreshExp,
    now,
  );
  return {
    accessToken,
    refreshToken,
    expiresIn: accessExp - nowSeconds,
    refreshExpiresIn: Math.max(0, refreshExp - nowSeconds),
    tokenType: accessJkt ? 'DPoP' : 'bearer',
  };
}
