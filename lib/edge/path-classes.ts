/**
 * What the middleware decides for each path, kept free of Next.js types so it can be tested
 * directly: which paths are public (from the route table), which are API paths and which are
 * pages that need a signed-in visitor.
 */
import 'server-only';
import { PUBLIC_PATHS } from '../api/routes';

/** API endpoints anyone may call; each one checks whatever credentials it takes itself. */
export function isPublicApiPath(pathname: string): boolean {
  return PUBLIC_PATHS.has(pathname);
}

/**
 * The path as the router will see it. Percent-encoded letters ("/%64ashboard") are decoded before
 * deciding what a path is, so an encoding cannot move a request out of a protected class; a path
 * that does not decode is treated as protected (and answered 400 before it gets anywhere).
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

/** Where to send a signed-out visitor of a protected page: back here after signing in. */
export function loginRedirectPath(pathname: string, search: string): string {
  return `/login?next=${encodeURIComponent(pathname + search)}`;
}
