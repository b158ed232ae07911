/**
 * When the database cannot answer: a lock held by another process (SQLITE_BUSY), a file that is
 * gone, a server that is down. Such faults become one answer, 503 `service_unavailable` with
 * `Retry-After`, within a second, and a refused operation has changed nothing (every write is one
 * statement or one transaction, rolled back on failure).
 *
 * A lock is waited for asynchronously: the driver's own busy timeout is a few milliseconds (it
 * blocks the event loop while it waits), and the operation is retried with growing pauses until
 * its deadline, so the rest of the server keeps serving meanwhile.
 */
import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../errors';

/**
 * How long one request may wait for the database in all, counted from when its handling began:
 * half a second, leaving the other half of the promised second for a busy machine.
 */
export const DATABASE_DEADLINE_MS = 500;
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 100;

export type Fault = 'busy' | 'unavailable';

/** Driver codes and messages that mean "try again later", not "your query is wrong". */
const BUSY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
  // PostgreSQL: a serialization failure or deadlock; the transaction can simply run again.
  'TransactionWriteConflict',
  '40001',
  '40P01',
]);
const UNAVAILABLE_PRISMA_CODES = new Set([
  'P1001',
  'P1002',
  'P1017',
  'P2024',
  // Driver adapter error kinds
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
  'ConnectionClosed',
  'TooManyConnections',
  'TlsConnectionError',
]);
const UNAVAILABLE_PATTERNS = [
  /^SQLITE_(CANTOPEN|IOERR|READONLY|CORRUPT|NOTADB|FULL)/,
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|57P0[123]|53300|08\d\d\d)$/,
];

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const record = current as {
      code?: unknown;
      originalCode?: unknown;
      kind?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    for (const value of [record.code, record.originalCode, record.kind])
      if (typeof value === 'string') codes.push(value);
    current = record.meta?.driverAdapterError ?? record.cause;
  }
  return codes;
}

/** What kind of fault an error from the database layer is, or null for an ordinary error. */
export function classifyFault(error: unknown): Fault | null {
  // By name: the class may come from another bundle's copy of this module (see lib/errors.ts).
  if ((error as { name?: unknown } | null)?.name === 'DatabaseUnavailableError') return 'unavailable';
  const codes = codesOf(error);
  if (codes.some((code) => BUSY_CODES.has(code))) return 'busy';
  if (codes.some((code) => UNAVAILABLE_PRISMA_CODES.has(code))) return 'unavailable';
  if (codes.some((code) => UNAVAILABLE_PATTERNS.some((pattern) => pattern.test(code)))) return 'unavailable';
  return null;
}

/**
 * A row a request relied on vanished under it (a user deleted while their session refreshed):
 * Prisma's "record not found" and foreign-key failures, and the drivers' own foreign-key errors. The request is answered 404, not 500.
 */
export function isVanishedRecord(error: unknown): boolean {
  return codesOf(error).some(
    (code) =>
      code === 'P2025' ||
      code === 'P2003' ||
      code === 'ForeignKeyConstraintViolation' ||
      // The same from the drivers themselves (the refresh path's plain statements).
      code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
      code === '23503',
  );
}

/** Raised by the store itself, e.g. when the SQLite file it opened is no longer on disk. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

export function serviceUnavailable(cause: unknown): AppError {
  const busy = classifyFault(cause) === 'busy';
  return new AppError(
    'service_unavailable',
    busy ? 'the database is busy; try again in a moment' : 'the database is unreachable; try again later',
    { retryAfter: 1, cause },
  );
}

/**
 * What the database work running now belongs to: one deadline for all the operations of one
 * request, so that a request making several calls while the database is locked still answers
 * within a second; and, on SQLite, whether it already runs in its turn of the serial queue
 * (serialize.ts). One per connection, and one AsyncLocalStorage for both: every storage in use
 * costs something on every promise the process makes.
 */
export class DatabaseScope {
  readonly #current = new AsyncLocalStorage<{ deadline: number; queued: boolean }>();

  /** Runs `work` (a request's handling) with one shared database deadline. */
  within<T>(work: () => Promise<T>, budgetMs = DATABASE_DEADLINE_MS): Promise<T> {
    return this.#current.run({ deadline: Date.now() + budgetMs, queued: false }, work);
  }

  /** The current request's deadline, or a fresh one for work outside a request (start-up, scripts). */
  deadline(): number {
    return this.#current.getStore()?.deadline ?? Date.now() + DATABASE_DEADLINE_MS;
  }

  /** True inside `inTurn`: the work is already the one the serial queue is running. */
  inTurn(): boolean {
    return this.#current.getStore()?.queued === true;
  }

  /** Runs `work` as the serial queue's current turn, under the same deadline. */
  inTurnOf<T>(work: () => Promise<T>): Promise<T> {
    return this.#current.run({ deadline: this.deadline(), queued: true }, work);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work`, retrying while the database is busy, until `deadline` (epoch ms). A fault becomes
 * a 503 AppError; any other error passes through unchanged.
 */
export async function withFaultHandling<T>(work: () => Promise<T>, deadline: number): Promise<T> {
  let wait = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const fault = classifyFault(error);
      if (fault === null) throw error;
      if (fault === 'unavailable' || Date.now() + wait > deadline) throw serviceUnavailable(error);
      await pause(wait);
      wait = Math.min(wait * 2, MAX_PAUSE_MS);
    }
  }
}
