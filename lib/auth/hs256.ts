/**
 * Compact JWS with HS256 (RFC 7515 §7.1, RFC 7518 §3.2) for our own access and refresh tokens,
 * on node:crypto's HMAC.
 *
 * Why not jose here: jose signs and verifies through WebCrypto, whose asynchronous jobs cost about
 * 70 µs per HMAC on the refresh path against 6 µs for node:crypto's (docs/performance.md), and a
 * refresh signs two tokens and verifies one. jose still checks everything that is not our own
 * HMAC: DPoP proofs (ES256 with an embedded key, lib/auth/dpop.ts).
 *
 * Verification is strict in the order jose uses: the form (three base64url parts, JSON objects),
 * the algorithm (HS256 only: no "none", no RS/HS confusion), no `crit` (we understand no
 * extension), the key by `kid`, the signature in constant time, then the registered claims.
 */
import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

/** Why a token was refused, in words a 401's error_description can carry. */
export class JwsError extends Error {
  override readonly name = 'JwsError';
}

const PART = /^[A-Za-z0-9_-]+$/;
/** An HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. */
const SIGNATURE_CHARS = 43;

function encodeJson(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(part: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError('the token is malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsError('the token is malformed');
  return value as JsonObject;
}

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
 * Headers seen before, decoded: tokens of one kind share one header string, so decoding it again
 * for every token is wasted work. Bounded; decoding is deterministic, so a cached answer is the
 * answer (checks that follow run on it every time).
 */
const decodedHeaders = new Map<string, JsonObject>();
const HEADER_CACHE_SIZE = 64;

function decodeHeader(part: string): JsonObject {
  let header = decodedHeaders.get(part);
  if (!header) {
    header = Object.freeze(decodeJson(part));
    if (decodedHeaders.size >= HEADER_CACHE_SIZE) decodedHeaders.clear();
    decodedHeaders.set(part, header);
  }
  return header;
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
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => PART.test(part))) throw new JwsError('the token is malformed');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeHeader(encodedHeader);
  // Pinned: a token cannot choose its own algorithm.
  if (header.alg !== 'HS256') throw new JwsError('the token algorithm is not allowed');
  // RFC 7515 §4.1.11: extensions we do not implement must be refused, and we implement none.
  if (header.crit !== undefined || header.b64 !== undefined) throw new JwsError('the token is malformed');
  const key = keyFor(header);
  if (!key) throw new JwsError('the token was not signed with a known key');
  const expected = mac(key, `${encodedHeader}.${encodedPayload}`);
  const given = Buffer.from(encodedSignature, 'base64url');
  // Canonical encoding only (no spare bits), and a constant-time comparison.
  if (
    encodedSignature.length !== SIGNATURE_CHARS ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected) ||
    given.toString('base64url') !== encodedSignature
  ) {
    throw new JwsError('the token signature is invalid');
  }
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
