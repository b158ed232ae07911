/**
 * The HTTP edge for every page and API request (static assets excepted), as middleware.ts runs it.
 *
 * - API: only `Authorization: Bearer <access token>` (or `DPoP <token>` with a proof of its key,
 *   when DPOP_ACCESS_TOKENS binds access tokens). The cookie is never accepted here, so a
 *   cross-site request cannot act as the user. A refresh token is refused (401, and the
 *   `WWW-Authenticate` error_description says why).
 * - Dashboard pages: the HttpOnly access cookie; missing or invalid sends the visitor to
 *   /login?next=...
 * - Every page: a fresh CSP nonce (lib/http/security-headers.ts); HSTS over HTTPS.
 * - An access token whose session has ended (here or on another instance) is refused: one lookup
 *   in the in-memory revocation feed (lib/auth/revocation-feed.ts), no database round trip.
 * - Handlers take the caller from the same check (access-check.ts via protectedRoute), not from a
 *   header set here: nothing a client sends can stand in for it.
 */
import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import type { Config } from '../config';
import { AppError } from '../errors';
import { ACCESS_COOKIE } from './access-cookie';
import { problemResponse } from '../http/problem';
import { errorResponse } from '../http/respond';
import { contentSecurityPolicy, newNonce, withTransportSecurity } from '../http/security-headers';
import { matchRoute } from '../api/routes';
import { authenticate, checkAccessToken, type AccessCheckDeps } from './access-check';
import { dispatchApi, type ApiHandlers } from './api-dispatch';
import { decodedPath, isApiPath, isProtectedPage, isPublicApiPath, loginRedirectPath } from './path-classes';
import { noSuchEndpoint } from './route-kit';

export type MiddlewareApp = AccessCheckDeps & { config: Pick<Config, 'env' | 'trustProxy'> };

/**
 * Lets the request through to Next.js: every page, and an API request only when no handler can
 * be called for it (api-dispatch.ts). API requests pass untouched: copying and overriding request
 * headers is what makes a middleware slower than an empty one, and only pages need it (the CSP
 * nonce).
 */
function forward(app: MiddlewareApp, request: NextRequest, page: boolean): NextResponse {
  return withTransportSecurity(request, app.config, page ? pageResponse(app, request) : NextResponse.next());
}

function pageResponse(app: MiddlewareApp, request: NextRequest): NextResponse {
  const csp = contentSecurityPolicy(newNonce(), { development: app.config.env === 'development' });
  const headers = new Headers(request.headers);
  // Next.js reads the nonce from the request's CSP header and puts it on its own scripts.
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

/**
 * @param handlers every API route's handlers (app/api/handlers.ts): an admitted API request is
 *   answered here by its route's handler rather than passed on to Next.js's router.
 */
export function createMiddleware(resolveApp: () => MiddlewareApp, handlers: ApiHandlers) {
  /** After the API gate let the caller through: its route's handler answers. */
  function admitted(app: MiddlewareApp, request: NextRequest, pathname: string): Response | Promise<Response> {
    const match = matchRoute(pathname);
    // A problem+json 404 here, rather than a catch-all route that Next.js would match against
    // every request (only after the token check: a caller without one learns nothing of which
    // paths exist).
    if (match === null) return withTransportSecurity(request, app.config, problemResponse(noSuchEndpoint()));
    const answer = dispatchApi(handlers, match, request);
    if (answer === null) return forward(app, request, false);
    // The route kit turns every error of a handler into a problem; what escapes it (the app not
    // started yet) is a bare 500 problem too, never Next.js's HTML error page.
    return answer.catch((error: unknown) => withTransportSecurity(request, app.config, errorResponse(request, error)));
  }

  function refused(app: MiddlewareApp, request: NextRequest, error: unknown): Response {
    return withTransportSecurity(request, app.config, errorResponse(request, error, { bearer: true }));
  }

  // Not async: for a Bearer token every step is synchronous, and a promise per request is a cost.
  return function middleware(request: NextRequest): Response | Promise<Response> {
    const app = resolveApp();
    const { pathname, search } = request.nextUrl;
    // The request guard answers these before Next.js; this covers a server started without it.
    if (decodedPath(pathname) === null) {
      const error = new AppError('invalid_request', 'the request path is not valid percent-encoding');
      return withTransportSecurity(request, app.config, problemResponse(error));
    }
    // The public endpoints check whatever credential they take themselves.
    if (isPublicApiPath(pathname)) return admitted(app, request, pathname);

    if (isApiPath(pathname)) {
      let identity;
      try {
        // protectedRoute takes the caller from the same check (a cache hit by then).
        identity = authenticate(app, request, 'gate');
      } catch (error) {
        return refused(app, request, error);
      }
      // A DPoP-bound access token: its proof is checked asynchronously.
      if (identity instanceof Promise) {
        return identity.then(
          () => admitted(app, request, pathname),
          (error: unknown) => refused(app, request, error),
        );
      }
      return admitted(app, request, pathname);
    }

    if (!isProtectedPage(pathname)) return forward(app, request, true);
    const cookie = request.cookies.get(ACCESS_COOKIE)?.value;
    const result = cookie ? checkAccessToken(app, cookie) : null;
    if (result && !(result instanceof AppError)) return forward(app, request, true);
    const response = NextResponse.redirect(new URL(loginRedirectPath(pathname, search), request.url));
    response.headers.set('Cache-Control', 'no-store');
    return response;
  };
}
