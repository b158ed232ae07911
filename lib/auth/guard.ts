/**
 * For route handlers behind middleware.ts: read the identity it verified, and (where the route
 * touches account data) confirm the session is still live in the database, so a revoked session
 * stops working at once on these routes rather than when its access token expires.
 */
import { getConfig } from '../config';
import { AppError } from '../errors';
import type { AuthDeps } from './deps';
import { decodeIdentity, IDENTITY_HEADER, type Identity } from './identity-header';
import { requireLiveSession } from './sessions';

export function requireIdentity(request: Request): Identity {
  const identity = decodeIdentity(getConfig().secret, request.headers.get(IDENTITY_HEADER));
  if (!identity) throw new AppError('unauthenticated', 'a valid Bearer access token is required');
  return identity;
}

export async function requireSession(deps: AuthDeps, request: Request) {
  const identity = requireIdentity(request);
  const session = await requireLiveSession(deps, identity);
  return { identity, session, user: session.user };
}
