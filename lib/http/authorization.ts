/** The Authorization header's credentials: `Bearer` (RFC 6750) or `DPoP` (RFC 9449 §7.1). */
import 'server-only';
export type Credentials = { scheme: 'bearer' | 'dpop'; token: string };

/** The token from an Authorization header; null when absent, undefined when malformed. */
export function authorizationCredentials(header: string | null): Credentials | null | undefined {
  if (header === null) return null;
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  return { scheme: match[1]!.toLowerCase() as Credentials['scheme'], token: match[2]! };
}

/** The Bearer token from an Authorization header; null when absent, undefined when malformed. */
export function bearerToken(header: string | null): string | null | undefined {
  const given = authorizationCredentials(header);
  if (!given) return given;
  return given.scheme === 'bearer' ? given.token : undefined;
}
