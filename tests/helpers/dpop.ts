/** A DPoP client in Node, for HTTP tests: a key pair and proofs as a browser would make them. */
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export type DpopKey = { privateKey: CryptoKey; jwk: JWK; jkt: string };

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

export function dpopProof(
  key: DpopKey,
  htu: string,
  options: { htm?: string; nonce?: string | null; accessToken?: string } = {},
): Promise<string> {
  // For an API call with a bound access token: its hash (RFC 9449 §4.2).
  const ath = options.accessToken ? createHash('sha256').update(options.accessToken).digest('base64url') : undefined;
  return new SignJWT({
    htm: options.htm ?? 'POST',
    htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(18).toString('base64url'),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(ath ? { ath } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}
