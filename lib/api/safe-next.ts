/**
 * Where to go after signing in. Client-safe: the browser applies it before navigating, and the
 * server to a `next` it keeps for later (single sign-on's pending login). The decision is made on the *final* navigation target: the raw
 * `next` value is resolved against the page's origin, and only a target on that same origin is
 * kept. What we navigate to is the resolved path, never the raw string, and that path must
 * resolve to the same URL again: "/.//evil.example" resolves to the path "//evil.example", which
 * a browser would read as another host, so it is refused.
 */
export const DEFAULT_AFTER_LOGIN = '/dashboard';

function resolve(target: string, origin: string): URL | null {
  try {
    return new URL(target, `${origin}/`);
  } catch {
    return null;
  }
}

/** The same-origin path to navigate to after signing in, or /dashboard. */
export function safeNextPath(next: string | null | undefined, origin: string): string {
  if (!next) return DEFAULT_AFTER_LOGIN;
  const url = resolve(next, origin);
  if (!url || url.origin !== origin) return DEFAULT_AFTER_LOGIN;
  const path = url.pathname + url.search + url.hash;
  // The path itself is what the router gets: it must stay on this origin when read again.
  const again = resolve(path, origin);
  if (!again || again.origin !== origin || again.href !== url.href) return DEFAULT_AFTER_LOGIN;
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return DEFAULT_AFTER_LOGIN; // no loop back to the form
  return path;
}
