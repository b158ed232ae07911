/** Builds tokens by hand (with the test server's secret or another), to prove the server refuses them. */
import { base64url, SignJWT } from 'jose';
import { AUDIENCE, ISSUER, keyId } from '@/lib/auth/tokens';

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
