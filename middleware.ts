/**
 * The HTTP edge for every page and API request (static assets excepted).
 *
 * - API: only `Authorization: Bearer <access token>`. The cookie is never accepted here, so a
 *   cross-site request cannot act as the user. A refresh token is refused (401, and the
 *   `WWW-Authenticate` error_description says why).
 * - Dashboard pages: the HttpOnly access cookie; missing or invalid sends the visitor to
 *   /login?next=...
 * - Every page: a fresh CSP nonce (lib/http/security-headers.ts); HSTS over HTTPS.
 * - An access token whose session has ended (here or on another instance) is refused: one lookup
 *   in the in-memory revocation feed (lib/auth/revocation-feed.ts), no database round trip.
 * - The verified identity reaches handlers in a header set here, after deleting any copy the
 *   client sent (and signed, see lib/http/identity-header.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import type { AccessClaims } from './lib/auth/tokens';
import { AppError } from './lib/errors';
import { bearerToken, isApiPath, isProtectedPage, isPublicApiPath, loginRedirectPath } from './lib/http/access-guard';
import { ACCESS_COOKIE } from './lib/http/cookie';
import { isHttps } from './lib/http/forwarded';
import { encodeIdentity, IDENTITY_HEADER } from './lib/http/identity-header';
import { bearerProblem, problemResponse } from './lib/http/problem';
import { contentSecurityPolicy, newNonce, STRICT_TRANSPORT_SECURITY } from './lib/http/security-headers';
import { getConfig, getRevocationFeed, getTokenService } from './lib/runtime';

/** The revocation feed polls every second; older than this, it is behind. */
const FEED_MAX_AGE_MS = 5000;

function forward(request: NextRequest, claims: AccessClaims | null, page: boolean): NextResponse {
  const config = getConfig();
  const headers = new Headers(request.headers);
  // Never trust an identity header that arrived from outside.
  headers.delete(IDENTITY_HEADER);
  if (claims) {
    headers.set(
      IDENTITY_HEADER,
      encodeIdentity(config.secret, {
        userId: claims.sub,
        sessionId: claims.sid,
        role: claims.role,
        tokenId: claims.jti,
        expiresAt: claims.exp,
      }),
    );
  }
  let csp: string | undefined;
  if (page) {
    csp = contentSecurityPolicy(newNonce(), { development: config.env === 'development' });
    // Next.js reads the nonce from the request's CSP header and puts it on its own scripts.
    headers.set('content-security-policy', csp);
  }
  const response = NextResponse.next({ request: { headers } });
  if (csp) response.headers.set('Content-Security-Policy', csp);
  if (isHttps(request, config)) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

async function verify(token: string): Promise<AccessClaims | AppError> {
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

export async function middleware(request: NextRequest): Promise<Response> {
  const { pathname, search } = request.nextUrl;
  if (isPublicApiPath(pathname)) return forward(request, null, false);

  if (isApiPath(pathname)) {
    const token = bearerToken(request.headers.get('authorization'));
    if (token === null) return bearerProblem(new AppError('unauthenticated', 'a Bearer access token is required'));
    if (token === undefined) {
      return bearerProblem(new AppError('invalid_token', 'the Authorization header is not a valid Bearer credential'));
    }
    const result = await verify(token);
    if (result instanceof AppError) return bearerProblem(result);
    // Fail closed: while the revocation log cannot be read, a revoked session could pass here.
    if (!getRevocationFeed().isCurrent(FEED_MAX_AGE_MS)) {
      return problemResponse(
        new AppError('service_unavailable', 'cannot confirm that the session is still live; try again shortly', {
          retryAfter: 1,
        }),
      );
    }
    return forward(request, result, false);
  }

  if (!isProtectedPage(pathname)) return forward(request, null, true);
  const cookie = request.cookies.get(ACCESS_COOKIE)?.value;
  const result = cookie ? await verify(cookie) : null;
  if (result && !(result instanceof AppError)) return forward(request, result, true);
  const response = NextResponse.redirect(new URL(loginRedirectPath(pathname, search), request.url));
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

export const config = {
  runtime: 'nodejs',
  // Everything but build assets: pages need their CSP nonce, and the API its Bearer check.
  // Public endpoints under /api are let through in code (lib/http/access-guard.ts), which also
  // strips a client-sent identity header from them.
  matcher: ['/((?!_next/static/|_next/image|favicon\\.ico).*)'],
};
