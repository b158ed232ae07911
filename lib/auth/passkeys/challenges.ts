/**
 * WebAuthn challenges: 16 random bytes with what they are for (sign-in, registration or
 * re-authentication), whose account, and until when, under an HMAC with a key derived from
 * AUTH_SECRET. Every instance can check one without a database read; it is taken once, on every
 * instance, by recording its hash in the database when it is used (the DPoP proof ledger). So an
 * anonymous request for sign-in options writes nothing, and a challenge cannot be used twice, for
 * another purpose, for another account, or after its minutes.
 */
import 'server-only';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../db';
import { derivedKey } from '../derived-key';

export type ChallengePurpose = 'sign-in' | 'register' | 'reauth';
export const CHALLENGE_SECONDS = 300;
const VERSION = 'c1';

export type Challenges = {
  /** A new challenge, as the text WebAuthn signs over (its UTF-8 bytes). */
  issue(purpose: ChallengePurpose, userId: string | null, now: Date): string;
  /**
   * Takes a challenge the browser signed (base64url, as clientDataJSON has it): true once, for a
   * challenge this server issued for this purpose and account that has not expired.
   */
  take(signed: string, expected: { purpose: ChallengePurpose; userId: string | null; now: Date }): Promise<boolean>;
  /** Whether a challenge is one of ours for this purpose and account, unexpired; takes nothing. */
  check(signed: string, expected: { purpose: ChallengePurpose; userId: string | null; now: Date }): string | null;
};

export function createChallenges(secret: string, store: Pick<Store, 'rememberDpopProof'>): Challenges {
  const key = derivedKey(secret, 'staysignedin webauthn challenge');
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');
  const check: Challenges['check'] = (signed, expected) => {
    const text = Buffer.from(signed, 'base64url').toString('utf8');
    const parts = text.split('.');
    if (parts.length !== 6) return null;
    const [version, purpose, userId, expires, , tag = ''] = parts;
    const body = parts.slice(0, 5).join('.');
    const wanted = Buffer.from(mac(body));
    const given = Buffer.from(tag);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
    if (version !== VERSION || purpose !== expected.purpose || userId !== (expected.userId ?? '-')) return null;
    return Number(expires) * 1000 > expected.now.getTime() ? text : null;
  };
  return {
    check,
    issue(purpose, userId, now) {
      const expires = Math.floor(now.getTime() / 1000) + CHALLENGE_SECONDS;
      const body = [VERSION, purpose, userId ?? '-', expires, randomBytes(16).toString('base64url')].join('.');
      return `${body}.${mac(body)}`;
    },
    async take(signed, expected) {
      const text = check(signed, expected);
      if (text === null) return false;
      const expiresAt = Number(text.split('.')[3]) * 1000;
      // Used once, on every instance: the primary key of the ledger decides.
      const id = createHash('sha256').update(`webauthn\0${text}`).digest('base64url');
      return store.rememberDpopProof(id, new Date(expiresAt));
    },
  };
}
