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
import { isHttps } from '../http/forwarded';
import { bearerProblem, problemResponse } from '../http/problem';
import { contentSecurityPolicy, newNonce, STRICT_TRANSPORT_SECURITY } from '../http/security-headers';
import { authenticate, checkAccessToken, type AccessCheckDeps } from './access-check';
import { decodedPath, isApiPath, isProtectedPage, isPublicApiPath, loginRedirectPath } from './path-classes';

export type MiddlewareApp = AccessCheckDeps & { config: Pick<Config, 'env' | 'trustProxy'> };

/**
 * Lets the request through. API requests pass untouched: copying and overriding request headers
 * is what makes a middleware slower than an empty one, and only pages need it (the CSP nonce).
 */
function forward(app: MiddlewareApp, request: NextRequest, page: boolean): NextResponse {
  let response: NextResponse;
  if (page) {
    const csp = contentSecurityPolicy(newNonce(), { development: app.config.env === 'development' });
    const headers = new Headers(request.headers);
    // Next.js reads the nonce from the request's CSP header and puts it on its own scripts.
    headers.set('content-security-policy', csp);
    response = NextResponse.next({ request: { headers } });
    response.headers.set('Content-Security-Policy', csp);
  } else {
    response = NextResponse.next();
  }
  if (isHttps(request, app.config)) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

export function createMiddleware(resolveApp: () => MiddlewareApp) {
  return async function middleware(request: NextRequest): Promise<Response> {
    const app = resolveApp();
    const { pathname, search } = request.nextUrl;
    // The request guard answers these before Next.js; this covers a server started without it.
    if (decodedPath(pathname) === null) {
      return problemResponse(new AppError('invalid_request', 'the request path is not valid percent-encoding'));
    }
    if (isPublicApiPath(pathname)) return forward(app, request, false);

    if (isApiPath(pathname)) {
      try {
        // protectedRoute takes the caller from the same check (a cache hit by then).
        await authenticate(app, request, 'gate');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return bearerProblem(error);
      }
      return forward(app, request, false);
    }

    if (!isProtectedPage(pathname)) return forward(app, request, true);
    const cookie = request.cookies.get(ACCESS_COOKIE)?.value;
    const result = cookie ? await checkAccessToken(app, cookie) : null;
    if (result && !(result instanceof AppError)) return forward(app, request, true);
    const response = NextResponse.redirect(new URL(loginRedirectPath(pathname, search), request.url));
    response.headers.set('Cache-Control', 'no-store');
    return response;
  };
}
