/** Identifiers for tokens, sessions and users. */
import 'server-only';
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
/** Random bytes drawn 256 ids at a time: one call into the CSPRNG instead of one per id. */
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

/** A fresh random identifier: 128 bits, URL-safe. Never reused, so a re-created user gets a new id. */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // Each id takes bytes no other id gets: the pool is refilled before any byte is read twice.
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
