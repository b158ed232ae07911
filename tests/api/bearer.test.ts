// middleware.ts on API routes: only a genuine, unexpired access token gets through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId } from '@/lib/auth/tokens';
import { accessClaims, decodeClaims, forgeToken, unsignedToken } from '../helpers/forge';
import { me, problem, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let tokens: TokenBody;
let identity: Record<string, unknown>;

beforeAll(async () => {
  server = await startServer({ label: 'bearer' });
  tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
  const claims = decodeClaims(tokens.access_token);
  identity = { sub: claims.sub, sid: claims.sid, role: claims.role };
});
afterAll(() => server.stop());

async function refused(token: string | null, header?: string) {
  const response = await fetch(`${server.url}/api/auth/me`, {
    headers: header !== undefined ? { authorization: header } : token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  const body = await problem(response);
  return { challenge, body };
}

describe('Bearer access tokens on protected APIs', () => {
  it('accepts the genuine access token', async () => {
    expect((await me(server.url, tokens.access_token)).status).toBe(200);
  });

  it('refuses a refresh token used as Bearer, and says why in WWW-Authenticate', async () => {
    const { challenge, body } = await refused(tokens.refresh_token);
    expect(challenge).toBe(
      'Bearer realm="api", error="invalid_token", error_description="a refresh token was presented where an access token is required"',
    );
    expect(body.code).toBe('invalid_token');
  });

  it('asks for credentials when there are none (RFC 6750: no error code)', async () => {
    const { challenge, body } = await refused(null);
    expect(challenge).toBe('Bearer realm="api"');
    expect(body.code).toBe('unauthenticated');
  });

  it('refuses a malformed Authorization header', async () => {
    for (const header of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer a b', `bearer  ${tokens.access_token} x`]) {
      expect((await refused(null, header)).challenge).toMatch(/error="invalid_token"/);
    }
  });

  it('never accepts the access cookie in place of the Bearer header (no CSRF on APIs)', async () => {
    const response = await fetch(`${server.url}/api/auth/me`, {
      headers: { cookie: `staysignedin_access=${tokens.access_token}` },
    });
    expect(response.status).toBe(401);
  });

  it.each([
    [
      'alg "none"',
      async () => unsignedToken({ alg: 'none', typ: 'at+jwt', kid: keyId(server.secret) }, accessClaims(identity)),
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = tokens.access_token.split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...decodeClaims(tokens.access_token), role: 'admin', sub: 'someone-else' }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'another secret',
      async () =>
        forgeToken('another-secret-that-is-long-enough-0123456789', { typ: 'at+jwt' }, accessClaims(identity)),
    ],
    [
      'an expired token',
      async () => forgeToken(server.secret, { typ: 'at+jwt' }, accessClaims(identity, { iat: 1, exp: 2 })),
    ],
    ['a wrong iss', async () => forgeToken(server.secret, { typ: 'at+jwt' }, accessClaims(identity, { iss: 'evil' }))],
    ['a wrong aud', async () => forgeToken(server.secret, { typ: 'at+jwt' }, accessClaims(identity, { aud: 'evil' }))],
    ['a wrong typ', async () => forgeToken(server.secret, { typ: 'JWT' }, accessClaims(identity))],
    [
      'a wrong type claim',
      async () => forgeToken(server.secret, { typ: 'at+jwt' }, accessClaims(identity, { type: 'id' })),
    ],
    ['an unknown kid', async () => forgeToken(server.secret, { typ: 'at+jwt', kid: 'nope' }, accessClaims(identity))],
  ])('refuses %s', async (_name, make) => {
    const { challenge, body } = await refused(await make());
    expect(challenge).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/);
    expect(body.code).toBe('invalid_token');
  });

  it('ignores an identity header sent by the client', async () => {
    const forged = `${Buffer.from(JSON.stringify({ userId: 'x', sessionId: 'y', role: 'admin' })).toString('base64url')}.sig`;
    const alone = await fetch(`${server.url}/api/auth/me`, { headers: { 'x-auth-identity': forged } });
    expect(alone.status).toBe(401);
    const withToken = await fetch(`${server.url}/api/auth/me`, {
      headers: { 'x-auth-identity': forged, authorization: `Bearer ${tokens.access_token}` },
    });
    expect(((await withToken.json()) as { id: string }).id).toBe(identity.sub);
  });
});
