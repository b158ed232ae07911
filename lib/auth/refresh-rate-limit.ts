/**
 * A per-address request limit kept in this instance's memory (a sliding window of one minute,
 * counted in 6 buckets of 10 s). For the refresh endpoint: generous enough that no number of normal
 * tabs behind one address comes near it, low enough that a script hammering rotation is slowed.
 * Per instance by design: it guards the process, not a user, and needs no database write.
 */
import 'server-only';
const BUCKET_MS = 10_000;
const BUCKETS = 6;
const MAX_ADDRESSES = 50_000;

export class RateLimiter {
  readonly #perMinute: number;
  readonly #counts = new Map<string, { bucket: number; counts: number[] }>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Counts one request; returns the seconds to wait when over the limit, else 0. */
  take(address: string, now = Date.now()): number {
    const bucket = Math.floor(now / BUCKET_MS);
    let entry = this.#counts.get(address);
    if (!entry) {
      // Bounded memory: forget the oldest address when full (Map keeps insertion order).
      if (this.#counts.size >= MAX_ADDRESSES) this.#counts.delete(this.#counts.keys().next().value!);
      entry = { bucket, counts: Array<number>(BUCKETS).fill(0) };
      this.#counts.set(address, entry);
    }
    const shift = Math.min(bucket - entry.bucket, BUCKETS);
    if (shift > 0) {
      entry.counts = [...entry.counts.slice(shift), ...Array<number>(shift).fill(0)];
      entry.bucket = bucket;
    }
    const total = entry.counts.reduce((sum, count) => sum + count, 0);
    if (total >= this.#perMinute) return Math.ceil((BUCKET_MS - (now % BUCKET_MS)) / 1000);
    entry.counts[BUCKETS - 1]! += 1;
    return 0;
  }
}
