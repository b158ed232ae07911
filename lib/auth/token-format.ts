/**
 * What our JWTs look like from outside: issuer, audience, the `typ` of each kind, and how a `kid`
 * names a secret. No secret lives here. It is the one module of lib/auth without `server-only`:
 * the browser tests forge tokens with it (tests/helpers/forge.ts), outside any bundler.
 */
import { createHmac } from 'node:crypto';

export const ISSUER = 'staysignedin';
export const AUDIENCE = 'staysignedin';

export type TokenKind = 'access' | 'refresh';
export const TYP: Record<TokenKind, string> = { access: 'at+jwt', refresh: 'rt+jwt' };

/** A key id that names the secret without revealing it (an HMAC of a fixed label). */
export function keyId(secret: string): string {
  return createHmac('sha256', secret).update('staysignedin key id').digest('base64url').slice(0, 16);
}
