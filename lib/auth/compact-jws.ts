/**
 * The parts of a compact JWS (RFC 7515 §7.1) that do not depend on the algorithm: the form (three
 * base64url parts, JSON objects) and the header's extensions. hs256.ts (our own tokens) and
 * es256.ts (DPoP proofs) verify their signatures on top of it.
 */
import 'server-only';

export type JsonObject = Record<string, unknown>;

/** Why a token was refused, in words a 401's error_description can carry. */
export class JwsError extends Error {
  override readonly name = 'JwsError';
}

const PART = /^[A-Za-z0-9_-]+$/;

export function encodeJson(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeJson(part: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError('the token is malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsError('the token is malformed');
  return value as JsonObject;
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

export type CompactJws = {
  header: JsonObject;
  /** `header.payload` as sent: what the signature covers. */
  signingInput: string;
  encodedPayload: string;
  encodedSignature: string;
};

/**
 * A compact JWS split and its header decoded, signed with `algorithm` and using no extension;
 * its signature is for the caller to check. Throws JwsError saying what is wrong.
 */
export function parseCompactJws(token: string, algorithm: string): CompactJws {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => PART.test(part))) throw new JwsError('the token is malformed');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeHeader(encodedHeader);
  // Pinned: a token cannot choose its own algorithm.
  if (header.alg !== algorithm) throw new JwsError('the token algorithm is not allowed');
  // RFC 7515 §4.1.11: extensions we do not implement must be refused, and we implement none.
  if (header.crit !== undefined || header.b64 !== undefined) throw new JwsError('the token is malformed');
  return { header, signingInput: `${encodedHeader}.${encodedPayload}`, encodedPayload, encodedSignature };
}

/** The signature's bytes, if it is the canonical base64url of exactly `bytes` bytes. */
export function signatureBytes(encodedSignature: string, bytes: number): Buffer | null {
  const given = Buffer.from(encodedSignature, 'base64url');
  // Canonical encoding only: no spare bits, so one signature has one spelling.
  if (given.length !== bytes || given.toString('base64url') !== encodedSignature) return null;
  return given;
}
