/**
 * The one way a route handler gets its caller: the Bearer access token checked exactly as
 * middleware.ts checks it (bearer-check.ts; a cache hit after the middleware's own check), and,
 * unless the route opts out, the live session and user from the database, so that a revoked
 * session, a disabled user or a changed password stop the request at once whatever the access
 * token says. Handlers never read the Authorization header themselves, so none can forget a check.
 */
import { requireLiveSession } from '../auth/sessions';
import type { SessionWithUser, UserRecord } from '../db';
import { AppError } from '../errors';
import { recordEvent } from '../audit/audit-log';
import { assertSessionKey } from '../auth/session-key';
import { getAuthDeps, getConfig } from '../runtime';
import type { Role } from '../users/roles';
import { authenticate, type Identity } from './bearer-check';
import { clientInfo } from './client-info';
import { requestProof } from './dpop-request';
import { route } from './route';

export type Caller = { identity: Identity };
export type LiveCaller = Caller & { session: SessionWithUser; user: UserRecord };

type Options = {
  /** Only the middleware's check (signature, expiry, revocation feed): no database read. */
  live?: boolean;
  /** The role the caller must have (403 otherwise). */
  role?: Role;
  /**
   * The route changes something: a session bound to a browser key (DPoP) must send a proof of it
   * (401 invalid_dpop_proof otherwise), so a copied access token cannot act (lib/auth/session-key.ts).
   */
  keyProof?: boolean;
};

export function protectedRoute<C>(
  handler: (request: Request, caller: LiveCaller, context: C) => Promise<Response>,
  options?: Options & { live?: true },
): (request: Request, context: C) => Promise<Response>;
export function protectedRoute<C>(
  handler: (request: Request, caller: Caller, context: C) => Promise<Response>,
  options: Options & { live: false },
): (request: Request, context: C) => Promise<Response>;
export function protectedRoute<C>(
  handler: (request: Request, caller: LiveCaller, context: C) => Promise<Response>,
  options: Options = {},
): (request: Request, context: C) => Promise<Response> {
  // A role from the access token could be stale (a demoted admin's token lives on): roles are
  // only ever checked against the stored user.
  if (options.live === false && options.role) throw new TypeError('protectedRoute: a role check needs live: true');
  return route<C>(
    async (request, context) => {
      // Checked here as well as in the middleware: a route its matcher missed is still protected.
      const identity = await authenticate(request, 'handler');
      if (options.live === false) return handler(request, { identity } as LiveCaller, context);
      const deps = getAuthDeps();
      const session = await requireLiveSession(deps, identity);
      const config = getConfig();
      const client = clientInfo(request, config.trustProxy);
      // The role as stored now, not as it was when the access token was signed.
      if (options.role && session.user.role !== options.role) {
        await recordEvent(
          deps.store,
          {
            type: 'access.denied',
            userId: identity.userId,
            sessionId: identity.sessionId,
            client,
            detail: { method: request.method, path: new URL(request.url).pathname.slice(0, 200) },
          },
          deps.now(),
        );
        throw new AppError('forbidden', `only ${options.role === 'admin' ? 'administrators' : 'users'} may do this`);
      }
      // An access token bound to the key has proved it already (bearer-check.ts).
      if (options.keyProof && session.dpopJkt !== null && identity.jkt !== session.dpopJkt) {
        const proof = await requestProof(deps, request, config, { requireNonce: false });
        await assertSessionKey(deps, session, proof, {
          client,
          event: 'request.dpop_refused',
          action: `${request.method} ${new URL(request.url).pathname.slice(0, 200)}`,
        });
      }
      return handler(request, { identity, session, user: session.user }, context);
    },
    { bearer: true },
  );
}
