import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkClaims, signHs256, verifyHs256, type JsonObject } from './hs256';

const KEY = Buffer.from('k'.repeat(40));
const ours = () => KEY;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (input: string, key = KEY) => createHmac('sha256', key).update(input).digest('base64url');
/** A token signed by hand, with whatever header it is given. */
const handMade = (header: JsonObject, payload: JsonObject = { sub: 'x' }) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmac(input)}`;
};
const reason = (token: string, keyFor: (h: JsonObject) => Buffer | null = ours) => {
  try {
    verifyHs256(token, keyFor);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('HS256 compact JWS', () => {
  it('signs what it verifies, with the header it was given and alg HS256', () => {
    const token = signHs256({ typ: 'at+jwt', kid: 'k1' }, { sub: 'ada', n: 1 }, KEY);
    expect(verifyHs256(token, ours)).toEqual({
      header: { typ: 'at+jwt', kid: 'k1', alg: 'HS256' },
      payload: { sub: 'ada', n: 1 },
    });
  });

  it('produces the same signature as an independent HMAC-SHA256 over header.payload', () => {
    const token = signHs256({ kid: 'k1' }, { sub: 'ada' }, KEY);
    const [header, payload, signature] = token.split('.');
    expect(signature).toBe(hmac(`${header}.${payload}`));
  });

  it('refuses every algorithm but HS256, none included', () => {
    for (const alg of ['none', 'HS384', 'HS512', 'RS256', 'ES256', 'hs256', undefined]) {
      expect(reason(handMade({ alg }))).toBe('the token algorithm is not allowed');
    }
  });

  it('refuses extensions it does not implement (crit, b64)', () => {
    expect(reason(handMade({ alg: 'HS256', crit: ['exp'] }))).toBe('the token is malformed');
    expect(reason(handMade({ alg: 'HS256', b64: false, crit: ['b64'] }))).toBe('the token is malformed');
  });

  it('refuses a key it does not know, before looking at the signature', () => {
    expect(reason(handMade({ alg: 'HS256' }), () => null)).toBe('the token was not signed with a known key');
  });

  it('refuses another key, a changed payload, a cut or re-encoded signature', () => {
    const token = signHs256({}, { sub: 'ada' }, KEY);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(reason(token, () => Buffer.from('other'))).toBe('the token signature is invalid');
    expect(reason(`${header}.${b64({ sub: 'eve' })}.${signature}`)).toBe('the token signature is invalid');
    expect(reason(`${header}.${payload}.${signature.slice(0, -1)}`)).toBe('the token signature is invalid');
    // The last character carries 2 spare bits: flipping them decodes to the same bytes.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(signature.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(reason(`${header}.${payload}.${signature.slice(0, -1)}${twin}`)).toBe('the token signature is invalid');
  });

  it('refuses anything that is not three base64url parts of JSON objects', () => {
    const good = signHs256({}, { sub: 'ada' }, KEY);
    for (const token of [
      '',
      'a',
      'a.b',
      'a.b.c.d',
      `${good}.`,
      good.replace('.', '..'),
      'a+b.c.d',
      `${b64([1])}.e30.x`,
    ]) {
      expect(reason(token)).toBe('the token is malformed');
    }
    expect(reason(handMade({ alg: 'HS256' }, [] as unknown as JsonObject))).toBe('the token is malformed');
  });
});

describe('registered claims', () => {
  const base = { iss: 'us', aud: 'us', sub: 's', iat: 100, exp: 200 };
  const check = (payload: JsonObject, nowSeconds = 150) => {
    try {
      checkClaims(payload, { issuer: 'us', audience: 'us', required: ['sub', 'iat', 'exp'], nowSeconds });
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts our issuer and audience (alone or in a list) before expiry', () => {
    expect(check(base)).toBe('accepted');
    expect(check({ ...base, aud: ['other', 'us'] })).toBe('accepted');
  });

  it('refuses at the second of expiry, and a token not yet valid', () => {
    expect(check(base, 200)).toBe('the token has expired');
    expect(check({ ...base, nbf: 160 })).toBe('the token "nbf" claim is invalid');
  });

  it('names the claim that is wrong, missing or not a number', () => {
    expect(check({ ...base, iss: 'them' })).toBe('the token "iss" claim is invalid');
    expect(check({ ...base, aud: 'them' })).toBe('the token "aud" claim is invalid');
    expect(check({ ...base, sub: undefined })).toBe('the token "sub" claim is invalid');
    expect(check({ ...base, exp: '200' })).toBe('the token "exp" claim is invalid');
    expect(check({ ...base, iat: null })).toBe('the token "iat" claim is invalid');
  });
});
