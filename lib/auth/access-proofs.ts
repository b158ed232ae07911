/**
 * With DPOP_ACCESS_TOKENS, each API call carries a fresh DPoP proof, and each proof admits exactly
 * one request. The middleware verifies it and notes it here; the route handler then takes over the
 * same proof once (no second signature check), and any other use of it is a replay.
 *
 * Kept in this instance's memory, not the database: a proof names one request URI and lives only
 * the iat window, and a database write per API call would undo what makes access tokens fast.
 * Across instances a captured proof could in principle be replayed once per instance within the
 * window, for the same URI and the same access token; the refresh endpoint's proofs, which guard
 * the long-lived credential, are checked in the database on every instance.
 */
import { IAT_WINDOW_SECONDS } from './dpop';

type Entry = { handedOver: boolean; expiresAt: number };

export class AccessProofLedger {
  readonly #entries = new Map<string, Entry>();
  #nextSweep = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** Records a proof the middleware verified; false when it was seen before (a replay). */
  admit(proof: string, now = Date.now()): boolean {
    this.#sweep(now);
    if (this.#entries.has(proof)) return false;
    // Bounded: under a flood the oldest proofs are forgotten first (they are also the nearest to expiry).
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(proof, { handedOver: false, expiresAt: now + 2 * IAT_WINDOW_SECONDS * 1000 });
    return true;
  }

  /** The handler's turn: true once for a proof the middleware admitted, false ever after. */
  handOver(proof: string): boolean {
    const entry = this.#entries.get(proof);
    if (!entry || entry.handedOver) return false;
    entry.handedOver = true;
    return true;
  }

  /** Whether the middleware saw this proof at all (false: the handler must check it itself). */
  seen(proof: string): boolean {
    return this.#entries.has(proof);
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 10_000;
    for (const [proof, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(proof);
  }
}
