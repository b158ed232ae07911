/**
 * Server nonces for DPoP proofs (RFC 9449 §8): a proof that must carry a recent nonce cannot have
 * been computed in advance. Nonces are stateless, `<issued-at seconds>.<HMAC>` under a key derived
 * from AUTH_SECRET, so every instance issues and accepts the same ones without sharing state.
 */
import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How long a nonce is accepted after it was issued: longer than the browser's refresh interval
 * (access tokens live 15 minutes and are renewed 5 minutes early), so the nonce that came with
 * one refresh is still good for the next and no refresh needs an extra round trip for a new one.
 */
export const NONCE_LIFETIME_SECONDS = 900;
/** Nonces are issued in steps of this many seconds: one nonce per step, shared by all clients. */
const STEP_SECONDS = 30;

export type NonceService = {
  /** The nonce to hand out now. */
  issue(now: Date): string;
  /** True for a nonce this service issued less than NONCE_LIFETIME_SECONDS ago. */
  accepts(nonce: string, now: Date): boolean;
};

export function createNonceService(secret: string): NonceService {
  // A key of its own, so a nonce's MAC can never be mistaken for any other MAC of the app.
  const key = createHmac('sha256', secret).update('staysignedin dpop nonce key').digest();
  const mac = (issued: string) => createHmac('sha256', key).update(issued).digest();

  // The nonce of the current step, computed once per step rather than once per response.
  let latest = { issued: '', nonce: '' };

  return {
    issue(now) {
      const issued = String(Math.floor(now.getTime() / 1000 / STEP_SECONDS) * STEP_SECONDS);
      if (latest.issued !== issued) latest = { issued, nonce: `${issued}.${mac(issued).toString('base64url')}` };
      return latest.nonce;
    },
    accepts(nonce, now) {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
      if (!match) return false;
      const [, issued, signature] = match as unknown as [string, string, string];
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(issued);
      // Constant time: no byte-by-byte oracle for forging a nonce.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      const age = now.getTime() / 1000 - Number(issued);
      return age >= -STEP_SECONDS && age <= NONCE_LIFETIME_SECONDS;
    },
  };
}
