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

/** Which work is the queue's current turn (faults.ts's DatabaseScope, which tracks it per async context). */
export type Turns = { inTurn(): boolean; inTurnOf<T>(work: () => Promise<T>): Promise<T> };

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  /** Work queued or running, interactive transactions included. */
  #pending = 0;
  readonly #turns: Turns;

  constructor(turns: Turns) {
    this.#turns = turns;
  }

  /** Runs `work` after everything queued before it; nested calls from inside run immediately. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#turns.inTurn()) return work();
    const result = this.#tail.then(() => this.#turns.inTurnOf(work));
    this.#pending++;
    // The queue continues whether this piece of work succeeded or not.
    this.#tail = result.then(
      () => void this.#pending--,
      () => void this.#pending--,
    );
    return result;
  }

  /**
   * Whether synchronous work may run right now without waiting: nothing is queued or running (so
   * no transaction is open that it could land in), or it is issued from inside the current turn.
   * Synchronous work cannot interleave with anything, so running it at once keeps the order.
   */
  free(): boolean {
    return this.#pending === 0 || this.#turns.inTurn();
  }
}
