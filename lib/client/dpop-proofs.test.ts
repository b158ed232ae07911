import { describe, expect, it } from 'vitest';
import { verifyProof } from '../auth/dpop';
import { createNonceService } from '../auth/dpop-nonce';
import { memoryStorage } from '@/tests/helpers/manual-timers';
import { indexedDbKeys, newKey } from './dpop-keys';
import { boundKeyOf, createProofs } from './dpop-proofs';

/** The browser's proofs, made by this module's own WebCrypto code, checked by the server's verifier. */
describe('browser DPoP proofs', () => {
  const nonces = createNonceService('client-dpop-test'.padEnd(48, 'z'));
  const proofs = createProofs({ storage: memoryStorage(), baseUrl: () => 'https://app.example/dashboard?tab=1' });

  it('are accepted by the server, name the key by the same thumbprint, and carry the nonce', async () => {
    const key = (await newKey())!;
    expect(key.privateKey.extractable).toBe(false);
    const now = new Date();
    const nonce = nonces.issue(now);
    const signed = await proofs.signer(key, 'POST', '/api/auth/refresh?ignored=1')!(nonce);
    const verified = await verifyProof(signed, {
      method: 'POST',
      url: 'https://app.example/api/auth/refresh',
      now,
      nonces,
      requireNonce: true,
    });
    expect(verified.jkt).toBe(key.jkt);
    // And for an API call with a bound access token: the proof carries the token's hash.
    const forCall = await proofs.signer(key, 'get', '/api/auth/me', 'the.access.token')!(null);
    const check = { method: 'GET', url: 'https://app.example/api/auth/me', now, nonces, requireNonce: false };
    expect((await verifyProof(forCall, { ...check, accessToken: 'the.access.token' })).jkt).toBe(key.jkt);
    await expect(verifyProof(forCall, { ...check, accessToken: 'another.access.token' })).rejects.toThrow(/ath/);
  });

  it('keeps no key where IndexedDB is missing: the session stays unbound', async () => {
    const keys = indexedDbKeys();
    const key = (await newKey())!;
    expect(await keys.save(key)).toBe(false);
    expect(await keys.load(key.jkt)).toBeNull();
  });

  it('signs nothing without a key', () => {
    expect(proofs.signer(null, 'POST', '/api/auth/token')).toBeNull();
  });

  it('reads the bound key from a refresh token, and null from an unbound or malformed one', () => {
    const part = (claims: object) => Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(boundKeyOf(`h.${part({ cnf: { jkt: 'abc' } })}.s`)).toBe('abc');
    expect(boundKeyOf(`h.${part({ sub: 'u' })}.s`)).toBeNull();
    expect(boundKeyOf('not a token')).toBeNull();
  });
});
