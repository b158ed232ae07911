/** Builds tokens by hand (with the test server's secret or another), to prove the server refuses them. */
import { createHmac } from 'node:crypto';
import { base64url, SignJWT } from 'jose';
import { AUDIENCE, ISSUER, keyId } from '@/lib/auth/token-format';

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

export function forgeToken(
  secret: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: keyId(secret), ...header })
    .sign(new TextEncoder().encode(secret));
}

/** An access token's claims, valid for the next 15 minutes unless overridden. */
export function accessClaims(base: Record<string, unknown>, override: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, type: 'access', iat: now, exp: now + 900, jti: 'forged', ...base, ...override };
}

export function unsignedToken(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(claims)}.`;
}

/** An HS256 token signed by hand, for headers jose refuses to produce (e.g. `crit`). */
export function hmacToken(secret: string, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const input = `${encode({ alg: 'HS256', ...header })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
