/**
 * Password hashing with argon2id (@node-rs/argon2: runs on libuv's thread pool, so the event
 * loop keeps serving other requests while a hash is computed). Parameters are the library's
 * defaults, which are OWASP's recommendation: m=19 MiB, t=2, p=1.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

// Algorithm.Argon2id; the package exports a `const enum`, which isolated modules cannot inline.
const OPTIONS: Options = { algorithm: 2 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A corrupt stored hash must read as "wrong password", never as a 500.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** A hash of a random password, computed once per process. */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummyHash;
}

/**
 * Spends the same time as checking a real password, for sign-ins with an unknown username, so
 * the response time does not reveal which accounts exist. Always false.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  await verifyPassword(await dummy(), password);
  return false;
}

/** Computes the dummy hash ahead of the first sign-in, so that one is not slower either. */
export async function warmUpPasswordChecks(): Promise<void> {
  await dummy();
}
