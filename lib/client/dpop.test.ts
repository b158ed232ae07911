import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProof } from '../auth/dpop';
import { createNonceService } from '../auth/dpop-nonce';
import { accessProof, boundKeyOf, newKey, proof } from './dpop';

/** The browser's proofs, made by this module's own WebCrypto code, checked by the server's verifier. */
describe('browser DPoP proofs', () => {
  const original = (globalThis as { location?: unknown }).location;
  const nonces = createNonceService('client-dpop-test'.padEnd(48, 'z'));

  beforeAll(() => {
    (globalThis as { location?: unknown }).location = { href: 'https://app.example/dashboard?tab=1' };
  });
  afterAll(() => {
    (globalThis as { location?: unknown }).location = original;
  });

  it('are accepted by the server, name the key by the same thumbprint, and carry the nonce', async () => {
    // Node has WebCrypto but no IndexedDB: the key is made, it just cannot be stored here.
    (globalThis as { indexedDB?: unknown }).indexedDB = {};
    const key = (await newKey())!;
    delete (globalThis as { indexedDB?: unknown }).indexedDB;
    expect(key.privateKey.extractable).toBe(false);
    const now = new Date();
    const nonce = nonces.issue(now);
    const signed = await proof(key, 'POST', '/api/auth/refresh?ignored=1', nonce);
    const verified = await verifyProof(signed, {
      method: 'POST',
      url: 'https://app.example/api/auth/refresh',
      now,
      nonces,
      requireNonce: true,
    });
    expect(verified.jkt).toBe(key.jkt);
    // And for an API call with a bound access token: the proof carries the token's hash.
    const forCall = await accessProof(key, 'get', '/api/auth/me', 'the.access.token');
    const check = { method: 'GET', url: 'https://app.example/api/auth/me', now, nonces, requireNonce: false };
    await expect(verifyProof(forCall, { ...check, accessToken: 'the.access.token' })).resolves.toBeTruthy();
    await expect(verifyProof(forCall, { ...check, accessToken: 'another.access.token' })).rejects.toThrow(/ath/);
  });

  it('makes no key where IndexedDB is missing: the session stays unbound', async () => {
    expect(await newKey()).toBeNull();
  });

  it('reads the bound key from a refresh token, and null from an unbound or malformed one', () => {
    const part = (claims: object) => Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(boundKeyOf(`h.${part({ cnf: { jkt: 'abc' } })}.s`)).toBe('abc');
    expect(boundKeyOf(`h.${part({ sub: 'u' })}.s`)).toBeNull();
    expect(boundKeyOf('not a token')).toBeNull();
  });
});
