import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { appErrorOf } from '@/tests/helpers/errors';
import type { Database } from '../db';
import { acceptProof, IAT_WINDOW_SECONDS, verifyProof, type ProofCheck } from './dpop';
import { createNonceService, NONCE_LIFETIME_SECONDS } from './dpop-nonce';

const URL = 'https://app.example/api/auth/refresh';
// The moment testAuth()'s hand-moved clock starts at.
const NOW = new Date('2026-06-01T12:00:00Z');
const nonces = createNonceService('dpop-test-secret'.padEnd(48, 'x'));

type Key = { privateKey: CryptoKey; publicJwk: JWK };

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** A proof as a browser makes it, with any part overridable to make it wrong. */
async function proof(
  key: Key,
  overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; signWith?: CryptoKey } = {},
): Promise<string> {
  return new SignJWT({
    htm: 'POST',
    htu: URL,
    iat: Math.floor(NOW.getTime() / 1000),
    jti: randomBytes(16).toString('base64url'),
    ...overrides.claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, ...overrides.header })
    .sign(overrides.signWith ?? key.privateKey);
}

const check = (overrides: Partial<ProofCheck> = {}): ProofCheck => ({
  method: 'POST',
  url: URL,
  now: NOW,
  nonces,
  requireNonce: false,
  ...overrides,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await appErrorOf(promise)).code;
}

let key: Key;
beforeAll(async () => {
  key = await newKey();
});

/** The thumbprint a proof of `key` is accepted under. */
const thumbprint = () => calculateJwkThumbprint(key.publicJwk, 'sha256');

describe('verifyProof', () => {
  it('accepts a fresh proof for this request and names its key by RFC 7638 thumbprint', async () => {
    const verified = await verifyProof(await proof(key), check());
    expect(verified.jkt).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
  });

  it('ignores the query and compares scheme and host case-insensitively', async () => {
    const htu = 'HTTPS://App.Example/api/auth/refresh?x=1#f';
    await expect(verifyProof(await proof(key, { claims: { htu } }), check())).resolves.toMatchObject({
      jkt: await thumbprint(),
    });
  });

  it('compares host and path only when the scheme cannot be known (TLS ended at an untrusted proxy)', async () => {
    const https = await proof(key, { claims: { htu: 'https://app.example/api/auth/refresh' } });
    const asSeen = check({ url: 'http://app.example/api/auth/refresh', schemeKnown: false });
    await expect(verifyProof(https, asSeen)).resolves.toMatchObject({ jkt: await thumbprint() });
    // The scheme is all that is relaxed: another host or path is still refused.
    const otherHost = await proof(key, { claims: { htu: 'https://evil.example/api/auth/refresh' } });
    expect(await codeOf(verifyProof(otherHost, asSeen))).toBe('invalid_dpop_proof');
    // And where the scheme is known, it must match.
    expect(await codeOf(verifyProof(https, check({ url: 'http://app.example/api/auth/refresh' })))).toBe(
      'invalid_dpop_proof',
    );
  });

  it('refuses a proof for another method', async () => {
    expect(await codeOf(verifyProof(await proof(key, { claims: { htm: 'GET' } }), check()))).toBe('invalid_dpop_proof');
  });

  it('refuses a proof for another URI: path, host or scheme', async () => {
    for (const htu of [
      'https://app.example/api/auth/token',
      'https://evil.example/api/auth/refresh',
      'http://app.example/api/auth/refresh',
      'not a url',
    ]) {
      expect(await codeOf(verifyProof(await proof(key, { claims: { htu } }), check()))).toBe('invalid_dpop_proof');
    }
  });

  it('asks for a nonce when iat is too old or in the future, and accepts it with one', async () => {
    const seconds = Math.floor(NOW.getTime() / 1000);
    for (const iat of [seconds - IAT_WINDOW_SECONDS - 5, seconds + IAT_WINDOW_SECONDS + 5]) {
      const error = await appErrorOf(verifyProof(await proof(key, { claims: { iat } }), check()));
      expect(error.code).toBe('use_dpop_nonce');
      expect(nonces.accepts(error.dpopNonce!, NOW)).toBe(true);
      // A client whose clock is off signs again with the nonce: the nonce proves freshness.
      const withNonce = await proof(key, { claims: { iat, nonce: error.dpopNonce } });
      await expect(verifyProof(withNonce, check())).resolves.toMatchObject({ jkt: await thumbprint() });
    }
  });

  it('refuses a proof signed by another key than the one in its header', async () => {
    const other = await newKey();
    expect(await codeOf(verifyProof(await proof(key, { signWith: other.privateKey }), check()))).toBe(
      'invalid_dpop_proof',
    );
  });

  it('refuses alg none, HS256 and RS256, whatever the rest says', async () => {
    const payload = Buffer.from(
      JSON.stringify({ htm: 'POST', htu: URL, iat: NOW.getTime() / 1000, jti: 'x'.repeat(20) }),
    );
    const header = (alg: string) =>
      Buffer.from(JSON.stringify({ alg, typ: 'dpop+jwt', jwk: key.publicJwk })).toString('base64url');
    const none = `${header('none')}.${payload.toString('base64url')}.`;
    expect(await codeOf(verifyProof(none, check()))).toBe('invalid_dpop_proof');
    const hmac = await new SignJWT({ htm: 'POST', htu: URL, iat: 0, jti: 'x'.repeat(20) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk })
      .sign(new TextEncoder().encode('a shared secret anyone could guess'));
    expect(await codeOf(verifyProof(hmac, check()))).toBe('invalid_dpop_proof');
    const forged = `${header('RS256')}.${payload.toString('base64url')}.c2ln`;
    expect(await codeOf(verifyProof(forged, check()))).toBe('invalid_dpop_proof');
  });

  it('refuses a jwk with private members, another curve or none at all', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    expect(await codeOf(verifyProof(await proof(key, { header: { jwk: privateJwk } }), check()))).toBe(
      'invalid_dpop_proof',
    );
    const p384 = await generateKeyPair('ES384');
    expect(
      await codeOf(verifyProof(await proof(key, { header: { jwk: await exportJWK(p384.publicKey) } }), check())),
    ).toBe('invalid_dpop_proof');
    expect(await codeOf(verifyProof(await proof(key, { header: { jwk: undefined } }), check()))).toBe(
      'invalid_dpop_proof',
    );
  });

  it('refuses a signature in another spelling: DER, re-encoded, cut short or with spare bits', async () => {
    const good = await proof(key);
    const [head, body, signature] = good.split('.') as [string, string, string];
    const raw = Buffer.from(signature, 'base64url');
    const der = Buffer.concat([
      Buffer.from([0x30, 0x44, 0x02, 0x20]),
      raw.subarray(0, 32),
      Buffer.from([0x02, 0x20]),
      raw.subarray(32),
    ]);
    // The last character of a 64-byte signature carries 4 spare bits: flipping one keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spare = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1) as string) ^ 1];
    expect(Buffer.from(spare, 'base64url').equals(raw)).toBe(true);
    for (const forged of [der.toString('base64url'), `${signature}=`, signature.slice(0, 80), spare]) {
      expect(await codeOf(verifyProof(`${head}.${body}.${forged}`, check()))).toBe('invalid_dpop_proof');
    }
    expect((await verifyProof(`${head}.${body}.${signature}`, check())).jkt).toBe(await thumbprint());
  });

  it('refuses a proof past its exp, before its nbf, with times that are not numbers, or with crit', async () => {
    const seconds = Math.floor(NOW.getTime() / 1000);
    for (const claims of [{ exp: seconds - 1 }, { nbf: seconds + 60 }, { iat: String(seconds) }, { exp: 'later' }]) {
      expect(await codeOf(verifyProof(await proof(key, { claims }), check()))).toBe('invalid_dpop_proof');
    }
    // A signer that understands an extension marks it critical; we understand none.
    const critical = await new SignJWT({
      htm: 'POST',
      htu: URL,
      iat: seconds,
      jti: randomBytes(16).toString('base64url'),
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'dpop+jwt',
        jwk: key.publicJwk,
        crit: ['urn:example:ext'],
        'urn:example:ext': 1,
      })
      .sign(key.privateKey, { crit: { 'urn:example:ext': true } });
    expect(await codeOf(verifyProof(critical, check()))).toBe('invalid_dpop_proof');
    // A proof that expires later is still a proof.
    expect((await verifyProof(await proof(key, { claims: { exp: seconds + 60 } }), check())).jkt).toBe(
      await thumbprint(),
    );
  });

  it('refuses a jwk whose coordinates are not a point on P-256', async () => {
    const off = { ...key.publicJwk, y: key.publicJwk.x };
    expect(await codeOf(verifyProof(await proof(key, { header: { jwk: off } }), check()))).toBe('invalid_dpop_proof');
  });

  it('refuses a wrong typ and a missing or short jti', async () => {
    expect(await codeOf(verifyProof(await proof(key, { header: { typ: 'JWT' } }), check()))).toBe('invalid_dpop_proof');
    expect(await codeOf(verifyProof(await proof(key, { claims: { jti: undefined } }), check()))).toBe(
      'invalid_dpop_proof',
    );
    expect(await codeOf(verifyProof(await proof(key, { claims: { jti: 'short' } }), check()))).toBe(
      'invalid_dpop_proof',
    );
  });

  it('demands a nonce where required: none, a forged one and an expired one get a fresh nonce', async () => {
    const required = check({ requireNonce: true });
    const missing = await appErrorOf(verifyProof(await proof(key), required));
    expect(missing.code).toBe('use_dpop_nonce');
    const issued = nonces.issue(NOW);
    const forged = `${issued.split('.')[0]}.${'A'.repeat(43)}`;
    const stale = nonces.issue(new Date(NOW.getTime() - (NONCE_LIFETIME_SECONDS + 60) * 1000));
    const otherServer = createNonceService('another-secret'.padEnd(48, 'y')).issue(NOW);
    for (const nonce of [forged, stale, otherServer, 'garbage']) {
      const error = await appErrorOf(verifyProof(await proof(key, { claims: { nonce } }), required));
      expect(error.code).toBe('use_dpop_nonce');
    }
    await expect(verifyProof(await proof(key, { claims: { nonce: issued } }), required)).resolves.toMatchObject({
      jkt: await thumbprint(),
    });
  });
});

describe('acceptProof', () => {
  let store: Database['store'];
  beforeAll(async () => {
    ({ store } = await createTestDb('dpop'));
  });

  it('accepts a proof once: the same proof again is refused, on any instance sharing the database', async () => {
    const { deps } = testAuth(store);
    const once = await proof(key);
    const request = { method: 'POST', url: URL, requireNonce: false };
    await expect(acceptProof(deps, once, request)).resolves.toMatchObject({ jkt: expect.any(String) as string });
    // A second instance: its own deps and memory, the same database.
    const { deps: elsewhere } = testAuth(store);
    expect(await codeOf(acceptProof(elsewhere, once, request))).toBe('invalid_dpop_proof');
    expect(await codeOf(acceptProof(deps, once, request))).toBe('invalid_dpop_proof');
  });

  it('returns null when the request carries no proof', async () => {
    const { deps } = testAuth(store);
    expect(await acceptProof(deps, null, { method: 'POST', url: URL, requireNonce: true })).toBeNull();
  });
});
