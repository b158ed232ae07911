/**
 * The access-token cookie. It exists only so that page navigations (which cannot carry an
 * Authorization header) can be checked by middleware.ts; API routes never accept it, so a
 * cross-site form or fetch cannot act with it (no CSRF surface).
 */
import 'server-only';
import type { Config } from '../config';
import { isHttps } from '../http/forwarded';

export const ACCESS_COOKIE = 'staysignedin_access';

/** `Secure` in production behind HTTPS; "auto" follows the request's scheme (docs/design.md, deviations). */
export function isSecure(request: Request, config: Pick<Config, 'cookieSecure' | 'trustProxy'>): boolean {
  if (config.cookieSecure !== 'auto') return config.cookieSecure;
  // Only a trusted proxy can tell us the browser used HTTPS (lib/http/forwarded.ts).
  return isHttps(request, config);
}

function serialise(value: string, maxAge: number, secure: boolean): string {
  // HttpOnly: scripts cannot read it. SameSite=Lax: not sent on cross-site subresource requests.
  const parts = [`${ACCESS_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function accessCookie(
  request: Request,
  config: Pick<Config, 'cookieSecure' | 'trustProxy'>,
  token: string,
  maxAge: number,
): string {
  return serialise(token, Math.max(0, Math.floor(maxAge)), isSecure(request, config));
}

export function clearedAccessCookie(request: Request, config: Pick<Config, 'cookieSecure' | 'trustProxy'>): string {
  return serialise('', 0, isSecure(request, config));
}
