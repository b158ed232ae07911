import { base64url, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { appErrorOf } from '@/tests/helpers/errors';
import { AUDIENCE, createTokenService, ISSUER, keyId } from './tokens';

const SECRET = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const NOW = new Date('2026-06-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const service = createTokenService({ secret: SECRET });
const identity = { sub: 'user-1', sid: 'session-1', role: 'user' as const };
/** What an access token is signed with: the identity and its session's authentication. */
const signed = { ...identity, authTime: nowSeconds - 600, amr: ['pwd', 'otp', 'mfa'] as const };

/** Signs arbitrary header/claims with a secret, for forging tokens the service must refuse. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(secret));
}

const validAccessClaims = {
  ...identity,
  type: 'access',
  jti: 'j1',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowSeconds,
  exp: nowSeconds + 900,
};

describe('access tokens', () => {
  it('carry typ at+jwt, type "access", kid, iss, aud, sub (the user id), sid, jti and role', async () => {
    const token = service.signAccess(signed, nowSeconds + 900, NOW);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: keyId(SECRET) });
    expect(payload).toMatchObject({ ...identity, type: 'access', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds + 900 });
    expect(typeof payload?.jti).toBe('string');
    await expect(service.verifyAccess(token, NOW)).resolves.toMatchObject({ ...identity, exp: nowSeconds + 900 });
  });

  it("carry the session's authentication as auth_time and amr, and read them back", async () => {
    const token = service.signAccess(signed, nowSeconds + 900, NOW);
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1] ?? ''))) as object;
    expect(payload).toMatchObject({ auth_time: nowSeconds - 600, amr: ['pwd', 'otp', 'mfa'] });
    await expect(service.verifyAccess(token, NOW)).resolves.toMatchObject({
      authTime: nowSeconds - 600,
      amr: ['pwd', 'otp', 'mfa'],
    });
  });

  it('read a token signed before auth_time as authenticated with a password when it was issued', async () => {
    const token = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, validAccessClaims);
    await expect(service.verifyAccess(token, NOW)).resolves.toMatchObject({ authTime: nowSeconds, amr: ['pwd'] });
  });

  it('refuses a refresh token, saying why', async () => {
    const refresh = service.signRefresh({ sub: 'user-1', sid: 'session-1', gen: 0 }, nowSeconds + 900, NOW);
    const error = await appErrorOf(service.verifyAccess(refresh, NOW));
    expect(error.code).toBe('invalid_token');
    expect(error.message).toBe('a refresh token was presented where an access token is required');
  });

  it('refuses alg "none"', async () => {
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt', kid: keyId(SECRET) })}.${encode(validAccessClaims)}.`;
    expect((await appErrorOf(service.verifyAccess(unsigned, NOW))).code).toBe('invalid_token');
  });

  it('refuses a tampered payload', async () => {
    const token = service.signAccess(signed, nowSeconds + 900, NOW);
    const [header, , signature] = token.split('.');
    const payload = base64url.encode(JSON.stringify({ ...validAccessClaims, role: 'admin' }));
    const error = await appErrorOf(service.verifyAccess(`${header}.${payload}.${signature}`, NOW));
    expect(error.message).toBe('the token signature is invalid');
  });

  it('refuses a token signed with another secret, even under our kid', async () => {
    const token = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, validAccessClaims, OTHER);
    expect((await appErrorOf(service.verifyAccess(token, NOW))).message).toBe('the token signature is invalid');
  });

  it('refuses a token whose kid is unknown or missing', async () => {
    const foreign = await forge({ typ: 'at+jwt', kid: keyId(OTHER) }, validAccessClaims, OTHER);
    expect((await appErrorOf(service.verifyAccess(foreign, NOW))).message).toMatch(/known key/);
    const noKid = await forge({ typ: 'at+jwt' }, validAccessClaims);
    expect((await appErrorOf(service.verifyAccess(noKid, NOW))).message).toMatch(/known key/);
  });

  it('refuses an expired token', async () => {
    const token = service.signAccess(signed, nowSeconds + 60, NOW);
    const later = new Date(NOW.getTime() + 61_000);
    expect((await appErrorOf(service.verifyAccess(token, later))).message).toBe('the token has expired');
  });

  it.each([
    ['iss', { iss: 'someone-else' }],
    ['aud', { aud: 'another-api' }],
  ])('refuses a wrong %s', async (claim, override) => {
    const token = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, { ...validAccessClaims, ...override });
    expect((await appErrorOf(service.verifyAccess(token, NOW))).message).toBe(`the token "${claim}" claim is invalid`);
  });

  it('refuses a wrong or missing typ header even when the type claim says access', async () => {
    for (const header of [{ typ: 'JWT' }, {}]) {
      const token = await forge({ ...header, kid: keyId(SECRET) }, validAccessClaims);
      expect((await appErrorOf(service.verifyAccess(token, NOW))).message).toBe('the token is not an access token');
    }
  });

  it('refuses a missing or wrong type claim even with the right typ header', async () => {
    const { type: _omit, ...withoutType } = validAccessClaims;
    const token = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, withoutType);
    expect((await appErrorOf(service.verifyAccess(token, NOW))).code).toBe('invalid_token');
    const wrong = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, { ...validAccessClaims, type: 'refresh' });
    expect((await appErrorOf(service.verifyAccess(wrong, NOW))).message).toMatch(/refresh token was presented/);
  });

  it('refuses a token without sid or with an unknown role', async () => {
    const { sid: _sid, ...withoutSid } = validAccessClaims;
    const noSid = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, withoutSid);
    expect((await appErrorOf(service.verifyAccess(noSid, NOW))).code).toBe('invalid_token');
    const root = await forge({ typ: 'at+jwt', kid: keyId(SECRET) }, { ...validAccessClaims, role: 'root' });
    expect((await appErrorOf(service.verifyAccess(root, NOW))).message).toMatch(/role/);
  });

  it('refuses garbage without throwing anything but invalid_token', async () => {
    for (const garbage of ['', 'abc', 'a.b.c', '....', 'eyJhbGciOiJIUzI1NiJ9.e30.']) {
      expect((await appErrorOf(service.verifyAccess(garbage, NOW))).code).toBe('invalid_token');
    }
  });

  it('re-checks expiry on every cache hit', async () => {
    const cached = createTokenService({ secret: SECRET, cacheSize: 10 });
    const token = cached.signAccess(signed, nowSeconds + 60, NOW);
    await cached.verifyAccess(token, NOW); // now cached
    await expect(cached.verifyAccess(token, new Date(NOW.getTime() + 30_000))).resolves.toMatchObject({
      sub: identity.sub,
      sid: identity.sid,
    });
    const error = await appErrorOf(cached.verifyAccess(token, new Date(NOW.getTime() + 61_000)));
    expect(error.message).toBe('the token has expired');
  });
});

describe('refresh tokens', () => {
  it('carry typ rt+jwt and type "refresh", and are refused where an access token is expected', async () => {
    const token = service.signRefresh({ sub: 'user-1', sid: 'session-1', gen: 3 }, nowSeconds + 900, NOW);
    const claims = await service.verifyRefresh(token, NOW);
    expect(claims).toMatchObject({ sub: 'user-1', sid: 'session-1', gen: 3 });
    // Unique per token, and never stored.
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const access = service.signAccess(signed, nowSeconds + 900, NOW);
    expect((await appErrorOf(service.verifyRefresh(access, NOW))).message).toBe(
      'an access token was presented where a refresh token is required',
    );
  });
});

describe('key rotation', () => {
  it('reads a token without a generation (issued before generations) as generation null', async () => {
    const claims = { sub: 'user-1', sid: 'session-1', jti: 'r1', type: 'refresh', iss: ISSUER, aud: AUDIENCE };
    const token = await forge(
      { typ: 'rt+jwt', kid: keyId(SECRET) },
      { ...claims, iat: nowSeconds, exp: nowSeconds + 900 },
    );
    await expect(service.verifyRefresh(token, NOW)).resolves.toMatchObject({ jti: 'r1', gen: null });
  });

  it('refuses a generation that is not a whole number from 0 up', async () => {
    const claims = { sub: 'user-1', sid: 'session-1', jti: 'r1', type: 'refresh', iss: ISSUER, aud: AUDIENCE };
    for (const gen of [-1, 1.5, '0', null, 2 ** 60]) {
      const token = await forge(
        { typ: 'rt+jwt', kid: keyId(SECRET) },
        { ...claims, gen, iat: nowSeconds, exp: nowSeconds + 900 },
      );
      expect((await appErrorOf(service.verifyRefresh(token, NOW))).message).toBe('the token "gen" claim is invalid');
    }
  });

  it('verifies tokens signed with AUTH_SECRET_PREVIOUS and signs new ones with the current secret', async () => {
    const before = createTokenService({ secret: OTHER });
    const old = before.signAccess(signed, nowSeconds + 900, NOW);
    const after = createTokenService({ secret: SECRET, previousSecret: OTHER });
    await expect(after.verifyAccess(old, NOW)).resolves.toMatchObject(identity);
    expect(after.kid).toBe(keyId(SECRET));
    const withoutPrevious = createTokenService({ secret: SECRET });
    expect((await appErrorOf(withoutPrevious.verifyAccess(old, NOW))).code).toBe('invalid_token');
  });
});
