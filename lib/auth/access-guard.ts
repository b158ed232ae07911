/**
 * The decision middleware.ts makes for each request, kept free of Next.js types so it can be
 * tested directly: which paths are public, and what a protected request needs.
 */
/** API endpoints anyone may call; each one checks whatever credentials it takes itself. */
export const PUBLIC_API_PATHS = new Set(['/api/auth/token', '/api/auth/refresh', '/api/auth/logout', '/api/health']);

export function isPublicPath(pathname: string, benchRoutes: boolean): boolean {
  if (PUBLIC_API_PATHS.has(pathname)) return true;
  return benchRoutes && pathname === '/api/bench/open';
}

export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

/** The Bearer token from an Authorization header; null when absent, undefined when malformed. */
export function bearerToken(header: string | null): string | null | undefined {
  if (header === null) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Where to send a signed-out visitor of a protected page: back here after signing in. */
export function loginRedirectPath(pathname: string, search: string): string {
  return `/login?next=${encodeURIComponent(pathname + search)}`;
}
