/**
 * Password hashing with argon2id (@node-rs/argon2: runs on libuv's thread pool, so the event
 * loop keeps serving other requests while a hash is computed). Parameters are the library's
 * defaults, which are OWASP's recommendation: m=19 MiB, t=2, p=1. Every hash and check of one
 * hasher waits for a slot in its queue (hash-queue.ts), so a burst of sign-ins cannot starve the
 * rest of the app. The server builds one hasher (lib/server/app.ts) and hands it down.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';
import { AppError } from '../errors';
import { HashQueue } from './hash-queue';

// Algorithm.Argon2id; the package exports a `const enum`, which isolated modules cannot inline.
const OPTIONS: Options = { algorithm: 2 };

export type Passwords = {
  hash(password: string): Promise<string>;
  /**
   * False for a wrong password, a corrupt stored hash and an account without one (an empty hash);
   * throws 503 when too busy to check.
   */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends the same time as checking a real password, for sign-ins with an unknown username, so
   * the response time does not reveal which accounts exist. Always false.
   */
  burn(password: string): Promise<false>;
  /** Computes the dummy hash ahead of the first sign-in, so that one is not slower either. */
  warmUp(): Promise<void>;
  readonly queue: HashQueue;
};

/** One hash per core but one (the event loop's); 64 waiting is a few seconds of work on 2 cores. */
export function createPasswords(
  limits: { concurrency: number; maxWaiting: number } = {
    concurrency: Math.max(1, os.availableParallelism() - 1),
    maxWaiting: 64,
  },
): Passwords {
  const queue = new HashQueue(limits.concurrency, limits.maxWaiting);
  const hashOf = (password: string) => queue.run(() => hash(password, OPTIONS));
  async function check(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await queue.run(() => verify(passwordHash, password));
    } catch (error) {
      // Too busy to check now is not a wrong password.
      if (error instanceof AppError) throw error;
      // A corrupt stored hash must read as "wrong password", never as a 500.
      return false;
    }
  }
  let dummy: Promise<string> | undefined;
  // A hash of a random password, computed once per hasher.
  const dummyHash = () => (dummy ??= hashOf(randomBytes(32).toString('base64url')));
  async function burn(password: string): Promise<false> {
    await check(await dummyHash(), password);
    return false;
  }
  return {
    hash: hashOf,
    // An account without a password (made through single sign-on) answers like a wrong password,
    // after the same work, so timing does not tell which accounts have one.
    verify: (passwordHash, password) => (passwordHash === '' ? burn(password) : check(passwordHash, password)),
    burn,
    async warmUp() {
      await dummyHash();
    },
    queue,
  };
}
