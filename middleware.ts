/**
 * Guards /dashboard pages and /api routes.
 *
 * - API: only `Authorization: Bearer <access token>`. The cookie is never accepted here, so a
 *   cross-site request cannot act as the user. A refresh token is refused (401, and the
 *   `WWW-Authenticate` error_description says why).
 * - Pages: the HttpOnly access cookie; missing or invalid sends the visitor to /login?next=...
 * - The verified identity reaches handlers in a header set here, after deleting any copy the
 *   client sent (and signed, see lib/auth/identity-header.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { bearerToken, isApiPath, isPublicPath, loginRedirectPath } from './lib/auth/access-guard';
import { ACCESS_COOKIE } from './lib/auth/cookie';
import { encodeIdentity, IDENTITY_HEADER } from './lib/auth/identity-header';
import { getTokenService } from './lib/auth/runtime';
import type { AccessClaims } from './lib/auth/tokens';
import { getConfig } from './lib/config';
import { AppError } from './lib/errors';
import { bearerProblem } from './lib/http/problem';

function forward(request: NextRequest, claims: AccessClaims | null): NextResponse {
  const headers = new Headers(request.headers);
  // Never trust an identity header that arrived from outside.
  headers.delete(IDENTITY_HEADER);
  if (claims) {
    headers.set(
      IDENTITY_HEADER,
      encodeIdentity(getConfig().secret, {
        userId: claims.sub,
        sessionId: claims.sid,
        role: claims.role,
        tokenId: claims.jti,
        expiresAt: claims.exp,
      }),
    );
  }
  return NextResponse.next({ request: { headers } });
}

async function verify(token: string): Promise<AccessClaims | AppError> {
  try {
    return await getTokenService().verifyAccess(token);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

export async function middleware(request: NextRequest): Promise<Response> {
  const { pathname, search } = request.nextUrl;
  if (isPublicPath(pathname, getConfig().benchRoutes)) return forward(request, null);

  if (isApiPath(pathname)) {
    const token = bearerToken(request.headers.get('authorization'));
    if (token === null) return bearerProblem(new AppError('unauthenticated', 'a Bearer access token is required'));
    if (token === undefined) {
      return bearerProblem(new AppError('invalid_token', 'the Authorization header is not a valid Bearer credential'));
    }
    const result = await verify(token);
    return result instanceof AppError ? bearerProblem(result) : forward(request, result);
  }

  const cookie = request.cookies.get(ACCESS_COOKIE)?.value;
  const result = cookie ? await verify(cookie) : null;
  if (result && !(result instanceof AppError)) return forward(request, result);
  const response = NextResponse.redirect(new URL(loginRedirectPath(pathname, search), request.url));
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

export const config = {
  runtime: 'nodejs',
  // Public endpoints under /api are let through in code (lib/auth/access-guard.ts), which also
  // strips a client-sent identity header from them.
  matcher: ['/dashboard', '/dashboard/:path*', '/api/:path*'],
};
