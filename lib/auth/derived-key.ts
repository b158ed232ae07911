/**
 * A key of its own for one purpose, derived from AUTH_SECRET (HKDF-SHA-256 with the purpose as its
 * label): the secret that signs tokens is never itself the key that seals or signs anything else.
 */
import 'server-only';
import { hkdfSync } from 'node:crypto';

export function derivedKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), purpose, 32));
}
