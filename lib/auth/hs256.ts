/**
 * Compact JWS with HS256 (RFC 7515 §7.1, RFC 7518 §3.2) for our own access and refresh tokens,
 * on node:crypto's HMAC.
 *
 * Why not jose here: jose signs and verifies through WebCrypto, whose asynchronous jobs cost about
 * 70 µs per HMAC on the refresh path against 6 µs for node:crypto's (docs/performance.md), and a
 * refresh signs two tokens and verifies one. The form and the header's extensions are checked by
 * compact-jws.ts, shared with the DPoP proofs' ES256 (es256.ts).
 *
 * Verification is strict in the order jose uses: the form (three base64url parts, JSON objects),
 * the algorithm (HS256 only: no "none", no RS/HS confusion), no `crit` (we understand no
 * extension), the key by `kid`, the signature in constant time, then the registered claims.
 */
import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeJson, encodeJson, JwsError, parseCompactJws, signatureBytes, type JsonObject } from './compact-jws';

export { JwsError, type JsonObject };

/** An HMAC-SHA256 is 32 bytes. */
const SIGNATURE_BYTES = 32;

function mac(key: Buffer, input: string): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

/** A signer for one header and key: the header is encoded once, not for every token. */
export function hs256Signer(header: JsonObject, key: Buffer): (payload: JsonObject) => string {
  const encodedHeader = encodeJson({ ...header, alg: 'HS256' });
  return (payload) => {
    const input = `${encodedHeader}.${encodeJson(payload)}`;
    return `${input}.${mac(key, input).toString('base64url')}`;
  };
}

export function signHs256(header: JsonObject, payload: JsonObject, key: Buffer): string {
  return hs256Signer(header, key)(payload);
}

/**
 * The header and claims of a token whose HS256 signature verifies under the key `keyFor` names
 * for its header (null: not one of ours). Throws JwsError saying what is wrong.
 */
export function verifyHs256(
  token: string,
  keyFor: (header: JsonObject) => Buffer | null,
): {
  header: JsonObject;
  payload: JsonObject;
} {
  const { header, signingInput, encodedPayload, encodedSignature } = parseCompactJws(token, 'HS256');
  const key = keyFor(header);
  if (!key) throw new JwsError('the token was not signed with a known key');
  const expected = mac(key, signingInput);
  const given = signatureBytes(encodedSignature, SIGNATURE_BYTES);
  // A constant-time comparison: the time taken says nothing of how much of the MAC was right.
  if (given === null || !timingSafeEqual(given, expected)) throw new JwsError('the token signature is invalid');
  return { header, payload: decodeJson(encodedPayload) };
}

/**
 * The registered claims, as jose's jwtVerify checks them: `iss` and `aud` ours, `exp` in the future
 * and `nbf` (if any) in the past, every required claim present, and the times numbers.
 */
export function checkClaims(
  payload: JsonObject,
  expected: { issuer: string; audience: string; required: readonly string[]; nowSeconds: number },
): void {
  for (const claim of expected.required) {
    if (payload[claim] === undefined) throw new JwsError(`the token "${claim}" claim is invalid`);
  }
  for (const claim of ['iat', 'exp', 'nbf']) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') {
      throw new JwsError(`the token "${claim}" claim is invalid`);
    }
  }
  if (payload.iss !== expected.issuer) throw new JwsError('the token "iss" claim is invalid');
  const aud = payload.aud;
  if (!(aud === expected.audience || (Array.isArray(aud) && aud.includes(expected.audience)))) {
    throw new JwsError('the token "aud" claim is invalid');
  }
  if (typeof payload.exp === 'number' && payload.exp <= expected.nowSeconds)
    throw new JwsError('the token has expired');
  if (typeof payload.nbf === 'number' && payload.nbf > expected.nowSeconds) {
    throw new JwsError('the token "nbf" claim is invalid');
  }
}
