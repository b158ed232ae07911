/**
 * Where to go after signing in. Only same-origin relative paths are honoured, so a link like
 * /login?next=https://evil.example cannot bounce a freshly signed-in user to another site.
 */
export const DEFAULT_AFTER_LOGIN = '/dashboard';

export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/')) return DEFAULT_AFTER_LOGIN;
  // "//host" and "/\host" are protocol-relative to browsers; control characters can hide them.
  if (next.startsWith('//') || next.includes('\\') || [...next].some((c) => c.charCodeAt(0) < 0x20)) {
    return DEFAULT_AFTER_LOGIN;
  }
  try {
    const base = 'http://same-origin.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return DEFAULT_AFTER_LOGIN;
    if (url.pathname === '/login') return DEFAULT_AFTER_LOGIN; // never loop back to the form
    return url.pathname + url.search + url.hash;
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
}
