/**
 * Serialises database work on the single SQLite connection.
 *
 * Why: the better-sqlite3 driver adapter runs every query on one connection. While an
 * interactive transaction is open (between its awaits), a query from another request would run
 * *inside* that transaction, and be rolled back with it: a write that already succeeded would be
 * lost. So every operation waits its turn, and operations issued from inside a transaction
 * (recognised through AsyncLocalStorage) run at once.
 */
import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #inside = new AsyncLocalStorage<true>();

  /** Runs `work` after everything queued before it; nested calls from inside run immediately. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore()) return work();
    const result = this.#tail.then(() => this.#inside.run(true, work));
    // The queue continues whether this piece of work succeeded or not.
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
