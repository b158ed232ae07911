/**
 * The one check of an API request's access token, used by middleware.ts (the gate in front of
 * every /api path) and by protectedRoute (which takes the caller's identity from it).
 *
 * The handler checks the token again rather than trusting a header from the middleware: the
 * second check of the same token string is a lookup in the token service's cache of verified
 * tokens and in the in-memory revocation feed (no signature, no database), and it needs no signed
 * identity header to be built, copied into the request and checked again (README "Performance").
 */
import type { AccessClaims } from '../auth/tokens';
import { AppError } from '../errors';
import { getRevocationFeed, getTokenService } from '../runtime';
import { bearerToken } from './access-guard';

/** The revocation feed polls every second; older than this, it is behind. */
export const FEED_MAX_AGE_MS = 5000;

export type Identity = {
  userId: string;
  sessionId: string;
  role: AccessClaims['role'];
  tokenId: string;
  expiresAt: number;
};

/** A signed, unexpired access token whose session has not ended; an AppError otherwise. */
export async function checkAccessToken(token: string): Promise<AccessClaims | AppError> {
  let claims: AccessClaims;
  try {
    claims = await getTokenService().verifyAccess(token);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  // Signed and unexpired, but its session may have ended since: sign-out, revocation, reuse.
  if (getRevocationFeed().isRevoked(claims.sid)) return new AppError('invalid_token', 'the session has ended');
  return claims;
}

/** The caller behind an `Authorization: Bearer` header; throws the AppError to answer with. */
export async function authenticateBearer(authorization: string | null): Promise<Identity> {
  const token = bearerToken(authorization);
  if (token === null) throw new AppError('unauthenticated', 'a Bearer access token is required');
  if (token === undefined) {
    throw new AppError('invalid_token', 'the Authorization header is not a valid Bearer credential');
  }
  const claims = await checkAccessToken(token);
  if (claims instanceof AppError) throw claims;
  // Fail closed: while the revocation log cannot be read, a revoked session could pass here.
  if (!getRevocationFeed().isCurrent(FEED_MAX_AGE_MS)) {
    throw new AppError('service_unavailable', 'cannot confirm that the session is still live; try again shortly', {
      retryAfter: 1,
    });
  }
  return { userId: claims.sub, sessionId: claims.sid, role: claims.role, tokenId: claims.jti, expiresAt: claims.exp };
}
