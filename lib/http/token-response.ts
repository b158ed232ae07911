/** The HTTP answer to a successful sign-in or refresh: OAuth token JSON plus the access cookie. */
import { accessCookie } from './cookie';
import { tokenResponseBody, type TokenPair } from '../auth/token-pair';
import { getConfig } from '../config';
import { jsonResponse } from './problem';

export function tokenResponse(request: Request, pair: TokenPair): Response {
  const config = getConfig();
  return jsonResponse(tokenResponseBody(pair), {
    headers: {
      'Set-Cookie': accessCookie(request, config, pair.accessToken, pair.expiresIn),
      Pragma: 'no-cache', // RFC 6749 §5.1, for HTTP/1.0 caches
    },
  });
}
