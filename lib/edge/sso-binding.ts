/**
 * The cookie that binds a single sign-on to the browser that started it (lib/auth/sso/flow.ts):
 * a random value whose hash the pending login keeps. A return from the provider finished in any
 * other browser (an attacker's link, to sign the victim in to the attacker's account) is refused.
 */
import 'server-only';
import type { Config } from '../config';
import { isSecure } from './access-cookie';

export const SSO_BINDING_COOKIE = 'staysignedin_sso';
/**
 * Over HTTPS, the `__Host-` name: the browser takes it only from this host, Secure and with Path=/,
 * so a sibling subdomain cannot plant a binding of its own choosing (login CSRF by cookie tossing).
 */
export const SECURE_SSO_BINDING_COOKIE = `__Host-${SSO_BINDING_COOKIE}`;
/** Over plain HTTP (development), only the callback reads it. */
const PATH = '/api/auth/oidc/callback';

type CookieConfig = Pick<Config, 'cookieSecure' | 'trustProxy'>;

function serialise(value: string, maxAge: number, secure: boolean): string {
  // HttpOnly: no script reads it. SameSite=Strict: the callback is a same-origin fetch from
  // /login/sso, so it is sent there and on no request another site starts.
  const name = secure ? SECURE_SSO_BINDING_COOKIE : SSO_BINDING_COOKIE;
  const parts = [`${name}=${value}`, `Path=${secure ? '/' : PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function ssoBindingCookie(request: Request, config: CookieConfig, value: string, maxAge: number): string {
  return serialise(value, maxAge, isSecure(request, config));
}

export function clearedSsoBindingCookie(request: Request, config: CookieConfig): string {
  return serialise('', 0, isSecure(request, config));
}

/** The binding value the browser sent under the name this request's scheme uses, or null. */
export function ssoBinding(request: Request, config: CookieConfig): string | null {
  // Over HTTPS only the __Host- cookie counts: a plain-named one may come from another subdomain.
  const wanted = isSecure(request, config) ? SECURE_SSO_BINDING_COOKIE : SSO_BINDING_COOKIE;
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === wanted) {
      const value = rest.join('=');
      // Ours are 43 base64url characters; anything else was not set by us.
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}
