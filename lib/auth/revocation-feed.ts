/**
 * Revocation that reaches live access tokens, on every instance, without a database round trip
 * per request (rule 8 of docs/design.md).
 *
 * Access tokens are checked by signature alone, so a session ended on one instance would keep its
 * access tokens working everywhere until they expire. Each instance therefore keeps in memory the
 * ids of sessions ended within the last access-token lifetime (no token of an ended session can be
 * younger: ended sessions cannot refresh), fed from the database's revocation log:
 * - what this instance revokes is added at once;
 * - what other instances revoke arrives by polling the log about every second, re-reading a few
 *   seconds of overlap so that a row committed late (or written by an instance whose clock is a
 *   little behind) is not missed; applying a row twice is harmless.
 * The middleware asks `isRevoked(sid)`: one Map lookup.
 */
import 'server-only';
import type { RevocationRecord } from '../db';

export type RevocationSource = {
  revocationsSince(since: Date): Promise<RevocationRecord[]>;
  pruneRevocations(before: Date): Promise<number>;
};

export type RevocationFeedOptions = {
  accessTokenSeconds: number;
  pollMs?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
};

/**
 * How far back each poll re-reads: covers commit lag and clock differences between instances (the
 * log's times come from the instances' clocks, which must agree within this; NTP does).
 */
const OVERLAP_MS = 60_000;
/** Entries are kept this much longer than the access-token lifetime (clock skew between instances). */
const MARGIN_MS = 60_000;
/** The log in the database is pruned about this often, by whichever instance gets there. */
const PRUNE_EVERY_MS = 60_000;

export class RevocationFeed {
  readonly #source: RevocationSource;
  readonly #lifetimeMs: number;
  readonly #pollMs: number;
  readonly #now: () => Date;
  readonly #onError: (error: unknown) => void;
  /** Session id → when it ended (ms). */
  readonly #ended = new Map<string, number>();
  #cursor = 0;
  #lastPrune = 0;
  /** When a poll last succeeded (ms); 0 before the first. */
  #lastSuccess = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(source: RevocationSource, options: RevocationFeedOptions) {
    this.#source = source;
    this.#lifetimeMs = options.accessTokenSeconds * 1000 + MARGIN_MS;
    this.#pollMs = options.pollMs ?? 1000;
    this.#now = options.now ?? (() => new Date());
    this.#onError = options.onError ?? (() => undefined);
  }

  /** True when the session has ended: its access tokens must be refused. */
  isRevoked(sessionId: string): boolean {
    return this.#ended.has(sessionId);
  }

  /** Records a revocation made by this instance, effective at once. */
  add(sessionId: string, at: Date): void {
    this.#ended.set(sessionId, at.getTime());
  }

  get size(): number {
    return this.#ended.size;
  }

  /**
   * Whether the feed is current: its last successful poll is at most `maxAgeMs` old. A feed that
   * cannot read the log cannot vouch that a session is still live (fail closed).
   */
  isCurrent(maxAgeMs: number, now = this.#now().getTime()): boolean {
    return now - this.#lastSuccess <= maxAgeMs;
  }

  /** Reads what is new in the log; forgets what can no longer matter. */
  poll(): Promise<void> {
    // One poll at a time: a slow database must not pile polls up.
    this.#polling ??= this.#poll().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async #poll(): Promise<void> {
    const now = this.#now().getTime();
    const horizon = now - this.#lifetimeMs;
    const since = Math.max(this.#cursor - OVERLAP_MS, horizon);
    for (const row of await this.#source.revocationsSince(new Date(since))) {
      const at = row.createdAt.getTime();
      if (at >= horizon) this.#ended.set(row.sessionId, at);
      this.#cursor = Math.max(this.#cursor, at);
    }
    if (this.#cursor === 0) this.#cursor = horizon;
    for (const [sessionId, at] of this.#ended) if (at < horizon) this.#ended.delete(sessionId);
    this.#lastSuccess = now;
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      await this.#source.pruneRevocations(new Date(horizon));
    }
  }

  /** Loads the recent log, then keeps polling until stop(). A failed poll is retried next time. */
  async start(): Promise<void> {
    if (this.#timer) return;
    await this.poll().catch(this.#onError);
    this.#timer = setInterval(() => void this.poll().catch(this.#onError), this.#pollMs);
    // Polling alone must not keep the process alive (graceful shutdown).
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
