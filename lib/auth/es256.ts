/**
 * Compact JWS with ES256 (RFC 7518 §3.4) signed by a P-256 key the token carries itself, on
 * node:crypto: the DPoP proofs (lib/auth/dpop.ts) that come with every sign-in, refresh and change.
 *
 * Why not jose here: jose imports the embedded key and verifies through WebCrypto, asynchronous
 * jobs that cost about 800 µs per proof on this stack against about 90 µs for node:crypto's
 * verification with the key already imported (docs/performance.md). A browser signs every proof
 * of a session with the same key, so imported keys are kept in a small cache by their
 * coordinates; the signature is still verified for every proof.
 */
import 'server-only';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeJson, JwsError, parseCompactJws, signatureBytes, type JsonObject } from './compact-jws';

/** An ES256 signature is r and s, 32 bytes each (RFC 7518 §3.4: not DER). */
const SIGNATURE_BYTES = 64;
const KEY_CACHE_SIZE = 1024;
const keys = new Map<string, KeyObject>();

export type P256PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

function publicKey(jwk: P256PublicJwk): KeyObject {
  const id = `${jwk.x}.${jwk.y}`;
  let key = keys.get(id);
  if (key === undefined) {
    try {
      // Throws for coordinates that are not a point on the curve.
      key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
    } catch {
      throw new JwsError('the token key is not a P-256 public key');
    }
    if (keys.size >= KEY_CACHE_SIZE) keys.delete(keys.keys().next().value as string);
    keys.set(id, key);
  }
  return key;
}

/**
 * The header and claims of a token whose ES256 signature verifies under the public key `keyOf`
 * finds in its header (which throws when there is none fit to use). Throws JwsError otherwise.
 */
export function verifyEs256(
  token: string,
  keyOf: (header: JsonObject) => P256PublicJwk,
): { header: JsonObject; payload: JsonObject; jwk: P256PublicJwk } {
  const { header, signingInput, encodedPayload, encodedSignature } = parseCompactJws(token, 'ES256');
  const jwk = keyOf(header);
  const signature = signatureBytes(encodedSignature, SIGNATURE_BYTES);
  if (signature === null) throw new JwsError('the token signature is invalid');
  let valid: boolean;
  try {
    valid = verify('sha256', Buffer.from(signingInput), { key: publicKey(jwk), dsaEncoding: 'ieee-p1363' }, signature);
  } catch (error) {
    if (error instanceof JwsError) throw error;
    valid = false;
  }
  if (!valid) throw new JwsError('the token signature is invalid');
  return { header, payload: decodeJson(encodedPayload), jwk };
}
