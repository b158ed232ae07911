/**
 * The cookie that binds a single sign-on to the browser that started it (lib/auth/sso/flow.ts):
 * a random value whose hash the pending login keeps. A return from the provider finished in any
 * other browser (an attacker's link, to sign the victim in to the attacker's account) is refused.
 */
import 'server-only';
import type { Config } from '../config';
import { isSecure } from './access-cookie';

export const SSO_BINDING_COOKIE = 'staysignedin_sso';
/** Only the callback reads it. */
const PATH = '/api/auth/oidc/callback';

function serialise(value: string, maxAge: number, secure: boolean): string {
  // HttpOnly: no script reads it. SameSite=Strict: the callback is a same-origin fetch from
  // /login/sso, so it is sent there and on no request another site starts.
  const parts = [`${SSO_BINDING_COOKIE}=${value}`, `Path=${PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function ssoBindingCookie(
  request: Request,
  config: Pick<Config, 'cookieSecure' | 'trustProxy'>,
  value: string,
  maxAge: number,
): string {
  return serialise(value, maxAge, isSecure(request, config));
}

export function clearedSsoBindingCookie(request: Request, config: Pick<Config, 'cookieSecure' | 'trustProxy'>): string {
  return serialise('', 0, isSecure(request, config));
}

/** The binding value the browser sent, or null. */
export function ssoBinding(request: Request): string | null {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SSO_BINDING_COOKIE) {
      const value = rest.join('=');
      // Ours are 43 base64url characters; anything else was not set by us.
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}
