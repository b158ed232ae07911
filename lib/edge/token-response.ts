/** The HTTP answer to a successful sign-in or refresh: OAuth token JSON plus the access cookie. */
import 'server-only';
import type { TokenResponse } from '../api/auth';
import type { TokenPair } from '../auth/token-pair';
import type { Config } from '../config';
import { accessCookie } from './access-cookie';
import { jsonResponse } from '../http/problem';

/** A token pair as the OAuth 2.0 token response (RFC 6749 §5.1). */
export function tokenResponseBody(pair: TokenPair): TokenResponse {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
    refresh_expires_in: pair.refreshExpiresIn,
  };
}

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
