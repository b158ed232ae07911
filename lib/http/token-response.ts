/** The HTTP answer to a successful sign-in or refresh: OAuth token JSON plus the access cookie. */
import { tokenResponseBody, type TokenPair } from '../auth/token-pair';
import type { Config } from '../config';
import { accessCookie } from './cookie';
import { jsonResponse } from './problem';

export function tokenResponse(
  request: Request,
  pair: TokenPair,
  config: Pick<Config, 'cookieSecure' | 'trustProxy'>,
): Response {
  return jsonResponse(tokenResponseBody(pair), {
    headers: {
      'Set-Cookie': accessCookie(request, config, pair.accessToken, pair.expiresIn),
      Pragma: 'no-cache', // RFC 6749 §5.1, for HTTP/1.0 caches
    },
  });
}
