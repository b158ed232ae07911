/**
 * With DPOP_ACCESS_TOKENS, each API call carries a fresh DPoP proof, and each proof admits exactly
 * one request. The middleware verifies it and notes it here; the route handler then takes over the
 * very same proof string once (no second signature check), and any other use of it is a replay.
 *
 * A proof is identified by its key and jti (proofId), not by its encoding: an ECDSA signature has
 * more than one valid form, so a re-encoded copy is the same proof and is refused too.
 *
 * Kept in this instance's memory, not the database: a proof names one request URI and is accepted
 * only for a short while, and a database write per API call would undo what makes access tokens
 * fast. Across instances a captured proof could be replayed once per instance in that time, for
 * the same URI with the same access token; the proofs that guard the long-lived refresh token are
 * checked in the database on every instance.
 */
import 'server-only';
import { PROOF_ID_RETENTION_SECONDS } from './dpop';

type Entry = { proof: string; handedOver: boolean; expiresAt: number };

export class AccessProofLedger {
  readonly #entries = new Map<string, Entry>();
  #nextSweep = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** Records a proof the middleware verified; false when its id was seen before (a replay). */
  admit(id: string, proof: string, now = Date.now()): boolean {
    this.#sweep(now);
    if (this.#entries.has(id)) return false;
    // Bounded: under a flood the oldest proofs are forgotten first.
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(id, { proof, handedOver: false, expiresAt: now + PROOF_ID_RETENTION_SECONDS * 1000 });
    return true;
  }

  /**
   * The handler's turn. 'admitted': the gate verified exactly this proof and it is now used up;
   * 'replayed': this proof (or another encoding of it) was used already; 'unseen': no gate ran.
   */
  handOver(id: string, proof: string): 'admitted' | 'replayed' | 'unseen' {
    const entry = this.#entries.get(id);
    if (!entry) return 'unseen';
    if (entry.handedOver || entry.proof !== proof) return 'replayed';
    entry.handedOver = true;
    return 'admitted';
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 10_000;
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }
}
