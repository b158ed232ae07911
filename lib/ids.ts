/** Identifiers for tokens, sessions and users. */
import 'server-only';
import { randomBytes } from 'node:crypto';

/** A fresh random identifier: 128 bits, URL-safe. Never reused, so a re-created user gets a new id. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
