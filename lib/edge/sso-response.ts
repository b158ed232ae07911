/** The HTTP answers of single sign-on: the start (with its binding cookie) and the return. */
import 'server-only';
import type { SsoCallbackResponse, SsoStartResponse } from '../api/sso';
import type { SsoOutcome } from '../auth/sso/flow';
import type { Config } from '../config';
import { jsonResponse } from '../http/problem';
import { accessCookie } from './access-cookie';
import { clearedSsoBindingCookie, ssoBindingCookie } from './sso-binding';
import { tokenResponseBody } from './token-response';

type CookieConfig = Pick<Config, 'cookieSecure' | 'trustProxy'>;

export function ssoStartResponse(
  request: Request,
  config: CookieConfig,
  started: { authorizationUrl: string; binding: string; expiresIn: number },
): Response {
  const body: SsoStartResponse = { authorization_url: started.authorizationUrl, expires_in: started.expiresIn };
  return jsonResponse(body, {
    headers: { 'Set-Cookie': ssoBindingCookie(request, config, started.binding, started.expiresIn) },
  });
}

export function ssoCallbackResponse(request: Request, config: CookieConfig, outcome: SsoOutcome): Response {
  const headers = new Headers({ 'Set-Cookie': clearedSsoBindingCookie(request, config) });
  let body: SsoCallbackResponse;
  switch (outcome.intent) {
    case 'sign_in':
      body = { ...tokenResponseBody(outcome.pair), intent: 'sign_in', next: outcome.next };
      headers.append('Set-Cookie', accessCookie(request, config, outcome.pair.accessToken, outcome.pair.expiresIn));
      headers.set('Pragma', 'no-cache'); // RFC 6749 §5.1, as for every token response
      break;
    case 'link':
      body = { intent: 'link', next: outcome.next };
      break;
    case 'reauth':
      body = { intent: 'reauth', auth_time: outcome.authTime.toISOString(), next: outcome.next };
      break;
  }
  const response = jsonResponse(body);
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}
