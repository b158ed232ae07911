/**
 * How a route handler is written: a function of one context, handed what it needs (the app, the
 * request, the client, the path parameters and, behind `protectedRoute`, the caller). The kit is
 * built once with a way to find the app (lib/server/routes.ts), so no handler reaches for one.
 *
 * - `route`: errors become problem responses (lib/http/respond.ts), all the database work of the
 *   request shares one deadline, durations are counted, bench-only routes (the route table's
 *   `bench`) answer 404 unless ENABLE_BENCH_ROUTES.
 * - `protectedRoute`: the Bearer access token checked exactly as the middleware checks it
 *   (access-check.ts; a cache hit after the middleware's own check), and, unless the route opts
 *   out, the live session and user from the database, so that a revoked session, a disabled user
 *   or a changed password stop the request at once whatever the access token says. Handlers never
 *   read the Authorization header themselves, so none can forget a check.
 */
import 'server-only';
import { ROUTES, routeOf } from '../api/routes';
import { recordEvent } from '../audit/audit-log';
import type { AuthDeps, ClientInfo } from '../auth/deps';
import { assertRecentAuthentication } from '../auth/reauthenticate';
import { parseAmr } from '../auth/authentication';
import { hasAnySecondFactor } from '../auth/second-factor/factors';
import { requireLiveSession } from '../auth/sessions';
import { assertSessionKey } from '../auth/session-key';
import type { Config } from '../config';
import type { SessionWithUser, UserRecord } from '../db';
import { AppError } from '../errors';
import { clientInfo } from '../http/client-info';
import { errorResponse, type ProblemStyle } from '../http/respond';
import { withTransportSecurity } from '../http/security-headers';
import { labelOf, type Metrics } from '../metrics/metrics';
import type { Role } from '../users/roles';
import { authenticate, type AccessCheckDeps, type Identity } from './access-check';
import { requestProof } from './dpop-request';

/** What the kit needs of the app (lib/server/app.ts has all of it). */
export type EdgeApp = AccessCheckDeps & {
  config: Pick<Config, 'trustProxy' | 'benchRoutes'>;
  auth: AuthDeps;
  database: { withDeadline<T>(work: () => Promise<T>): Promise<T> };
  metrics: Pick<Metrics, 'observeRequest' | 'databaseErrors'>;
};

export type RouteContext<A, P> = {
  app: A;
  request: Request;
  /** User agent and client address (the socket's peer, or the proxy's word with TRUST_PROXY). */
  client: ClientInfo;
  /** Path parameters, as the route file's folder names them (`[id]` → `{ id }`). */
  params: P;
};

export type Caller = { identity: Identity };
export type LiveCaller = Caller & { session: SessionWithUser; user: UserRecord };

type NextContext<P> = { params: Promise<P> };
export type NextHandler<P> = (request: Request, context: NextContext<P>) => Promise<Response>;

export type RouteOptions = ProblemStyle & {
  /** A benchmark route outside /api (the route table marks those under it): 404 unless ENABLE_BENCH_ROUTES. */
  bench?: boolean;
};

type ProtectedOptions = {
  /** Only the middleware's check (signature, expiry, revocation feed): no database read. */
  live?: boolean;
  /** The role the caller must have (403 otherwise). */
  role?: Role;
  /**
   * The route changes something: a session bound to a browser key (DPoP) must send a proof of it
   * (401 invalid_dpop_proof otherwise), so a copied access token cannot act (lib/auth/session-key.ts).
   */
  keyProof?: boolean;
  /**
   * A sensitive action: the session's user must have authenticated within REAUTH_MAX_AGE_MINUTES
   * (401 reauthentication_required otherwise; lib/auth/reauthenticate.ts).
   */
  sensitive?: boolean;
  /** Administrators see every account's data here (not only their own): MFA_REQUIRED_FOR_ADMINS applies. */
  adminView?: boolean;
};

/** The same answer as for a path no route exists for. */
export function noSuchEndpoint(): AppError {
  return new AppError('not_found', 'there is no API endpoint at this path');
}

/** The request's path: Next.js hands route handlers a NextRequest with the URL already parsed. */
function pathnameOf(request: Request): string {
  return (request as Request & { nextUrl?: URL }).nextUrl?.pathname ?? new URL(request.url).pathname;
}

export function createRouteKit<A extends EdgeApp>(resolveApp: () => A) {
  function route<P = Record<string, never>>(
    handler: (context: RouteContext<A, P>) => Promise<Response>,
    options: RouteOptions = {},
  ): NextHandler<P> {
    return async (request, next) => {
      const app = resolveApp();
      const started = performance.now();
      const pathname = pathnameOf(request);
      const name = routeOf(pathname);
      let response: Response;
      try {
        if ((options.bench || (name !== null && ROUTES[name].bench)) && !app.config.benchRoutes) throw noSuchEndpoint();
        const params = ((await next?.params) ?? {}) as P;
        const context = { app, request, client: clientInfo(request, app.config.trustProxy), params };
        // All the database work of this request shares one deadline (lib/db/faults.ts).
        response = await app.database.withDeadline(() => handler(context));
      } catch (caught) {
        response = errorResponse(request, caught, options);
      }
      // Over HTTPS every answer carries HSTS: the middleware's own, and the handlers' from here.
      response = withTransportSecurity(request, app.config, response);
      app.metrics.observeRequest(labelOf(name), request.method, response.status, (performance.now() - started) / 1000);
      if (response.status === 503) app.metrics.databaseErrors.inc();
      return response;
    };
  }

  function protectedRoute<P = Record<string, never>>(
    handler: (context: RouteContext<A, P> & { caller: LiveCaller }) => Promise<Response>,
    options?: ProtectedOptions & { live?: true },
  ): NextHandler<P>;
  function protectedRoute<P = Record<string, never>>(
    handler: (context: RouteContext<A, P> & { caller: Caller }) => Promise<Response>,
    options: ProtectedOptions & { live: false },
  ): NextHandler<P>;
  function protectedRoute<P>(
    handler: (context: RouteContext<A, P> & { caller: LiveCaller }) => Promise<Response>,
    options: ProtectedOptions = {},
  ): NextHandler<P> {
    // A role from the access token could be stale (a demoted admin's token lives on): roles are
    // only ever checked against the stored user.
    if (options.live === false && (options.role || options.keyProof || options.sensitive)) {
      throw new TypeError('protectedRoute: a role, key-proof or recent-authentication check needs live: true');
    }
    return route<P>(
      async (context) => {
        const { app, request, client } = context;
        // Checked here as well as in the middleware: a route its matcher missed is still protected.
        const checked = authenticate(app, request, 'handler');
        const identity = checked instanceof Promise ? await checked : checked;
        if (options.live === false) return handler({ ...context, caller: { identity } as LiveCaller });
        const session = await requireLiveSession(app.auth, identity);
        // What the audit log calls this request, made only when a refusal is recorded.
        const path = () => pathnameOf(request).slice(0, 200);
        const action = () => `${request.method} ${path()}`;
        // The role as stored now, not as it was when the access token was signed.
        if (options.role && session.user.role !== options.role) {
          await recordEvent(
            app.auth.store,
            {
              type: 'access.denied',
              userId: identity.userId,
              sessionId: identity.sessionId,
              client,
              detail: { method: request.method, path: path() },
            },
            app.auth.now(),
          );
          throw new AppError('forbidden', `only ${options.role === 'admin' ? 'administrators' : 'users'} may do this`);
        }
        // Even with an access token bound to the key (whose proof the gate checked in memory), the
        // proof of a change is recorded in the database: single use on every instance, never
        // forgotten while it could still be accepted.
        if (options.keyProof && session.dpopJkt !== null) {
          const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
          await assertSessionKey(app.auth, session, proof, {
            client,
            event: 'request.dpop_refused',
            action: action(),
          });
        }
        // MFA_REQUIRED_FOR_ADMINS: administrators act (and see others' data) only from a session
        // that proved a second factor: at sign-in, or by re-authenticating with a code or passkey.
        const asAdministrator =
          options.role === 'admin' || (options.adminView === true && session.user.role === 'admin');
        if (asAdministrator && app.auth.policy.mfaRequiredForAdmins && !parseAmr(session.amr).includes('mfa')) {
          if (!(await hasAnySecondFactor(app.auth, session.userId))) {
            throw new AppError('mfa_enrollment_required', 'set up two-step verification on your account page first');
          }
          // Has one, but this session signed in without it: confirm with it once.
          throw new AppError('reauthentication_required', 'confirm with your authenticator app or a passkey', {
            extensions: { max_age: app.auth.policy.reauthMaxAgeSeconds, second_factor: true },
          });
        }
        if (options.sensitive) await assertRecentAuthentication(app.auth, session, { client, action: action() });
        return handler({ ...context, caller: { identity, session, user: session.user } });
      },
      { bearer: true },
    );
  }

  return { route, protectedRoute };
}
