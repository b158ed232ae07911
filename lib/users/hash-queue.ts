/**
 * At most a few password hashes at a time; the rest wait their turn in order.
 *
 * Why: argon2id is built to be expensive (19 MiB and tens of milliseconds of CPU each). It runs on
 * libuv's thread pool, and on a 2-core machine a burst of sign-ins would otherwise take every
 * core from the event loop, and every other request (token checks, refreshes) would wait with
 * them. With one hash at a time per spare core, a burst makes sign-ins queue, not the whole app.
 * The queue is bounded too: past it, a sign-in is told to come back (503) instead of waiting
 * for ever.
 */
import 'server-only';
import { AppError } from '../errors';

export class HashQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new AppError('service_unavailable', 'too many sign-ins at once; try again in a moment', {
          retryAfter: 1,
        });
      }
      // The slot is handed over by the finishing hash (below), so it is never lost or doubled.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
