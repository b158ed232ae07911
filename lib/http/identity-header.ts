/**
 * The verified identity travels from middleware.ts to route handlers in one request header.
 * The middleware deletes any copy the client sent; in addition the value carries an HMAC, so
 * even a route that the middleware's matcher missed cannot be fooled by a forged header.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../users/roles';

export const IDENTITY_HEADER = 'x-auth-identity';

export type Identity = { userId: string; sessionId: string; role: Role; tokenId: string; expiresAt: number };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update('identity-header\0').update(payload).digest();
}

export function encodeIdentity(secret: string, identity: Identity): string {
  const payload = Buffer.from(JSON.stringify(identity)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function decodeIdentity(secret: string, value: string | null): Identity | null {
  if (!value) return null;
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  // Constant-time comparison: no byte-by-byte timing oracle on the MAC.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Identity;
  } catch {
    return null;
  }
}
