/**
 * Password hashing with argon2id (@node-rs/argon2: runs on libuv's thread pool, so the event
 * loop keeps serving other requests while a hash is computed). Parameters are the library's
 * defaults, which are OWASP's recommendation: m=19 MiB, t=2, p=1. Every hash and check waits for
 * a slot in one queue (hash-queue.ts), so a burst of sign-ins cannot starve the rest of the app.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';
import { AppError } from '../errors';
import { HashQueue } from './hash-queue';

// Algorithm.Argon2id; the package exports a `const enum`, which isolated modules cannot inline.
const OPTIONS: Options = { algorithm: 2 };

/** One hash per core but one (the event loop's); 64 waiting is a few seconds of work on 2 cores. */
export const hashQueue = new HashQueue(Math.max(1, os.availableParallelism() - 1), 64);

export function hashPassword(password: string): Promise<string> {
  return hashQueue.run(() => hash(password, OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await hashQueue.run(() => verify(passwordHash, password));
  } catch (error) {
    // Too busy to check now is not a wrong password.
    if (error instanceof AppError) throw error;
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
