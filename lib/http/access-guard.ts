/**
 * The decision middleware.ts makes for each request, kept free of Next.js types so it can be
 * tested directly: which paths are public, and what a protected request needs.
 */
/** API endpoints anyone may call; each one checks whatever credentials it takes itself. */
export const PUBLIC_API_PATHS = new Set([
  '/api/auth/token',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/api/health',
  // Checks its own credential (METRICS_TOKEN), which is not an access token.
  '/api/metrics',
  // The benchmark's routes without a token check (404 unless ENABLE_BENCH_ROUTES).
  '/api/bench/open',
  '/api/bench/write',
]);

export function isPublicApiPath(pathname: string): boolean {
  return PUBLIC_API_PATHS.has(pathname);
}

/**
 * The path as the router will see it. Percent-encoded letters ("/%64ashboard") are decoded before
 * deciding what a path is, so an encoding cannot move a request out of a protected class; a path
 * that does not decode is treated as protected.
 */
export function decodedPath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

function under(pathname: string, prefix: string): boolean {
  const path = decodedPath(pathname);
  return path === null || path === prefix || path.startsWith(`${prefix}/`);
}

export function isApiPath(pathname: string): boolean {
  return under(pathname, '/api');
}

/** Pages that need a signed-in visitor (the access cookie). */
export function isProtectedPage(pathname: string): boolean {
  return under(pathname, '/dashboard');
}

export type Credentials = { scheme: 'bearer' | 'dpop'; token: string };

/**
 * The token from an Authorization header, `Bearer` (RFC 6750) or `DPoP` (RFC 9449 §7.1); null when
 * absent, undefined when malformed.
 */
export function authorizationCredentials(header: string | null): Credentials | null | undefined {
  if (header === null) return null;
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  return { scheme: match[1]!.toLowerCase() as Credentials['scheme'], token: match[2]! };
}

/** The Bearer token from an Authorization header; null when absent, undefined when malformed. */
export function bearerToken(header: string | null): string | null | undefined {
  const given = authorizationCredentials(header);
  if (!given) return given;
  return given.scheme === 'bearer' ? given.token : undefined;
}

/** Where to send a signed-out visitor of a protected page: back here after signing in. */
export function loginRedirectPath(pathname: string, search: string): string {
  return `/login?next=${encodeURIComponent(pathname + search)}`;
}
