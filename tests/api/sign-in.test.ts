// POST /api/auth/token and GET /api/auth/me over HTTP against the production server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, signIn, type TokenBody } from '../helpers/http';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'signin' });
  const db = await server.db();
  const carol = await createUser(await server.users(), { username: 'carol', password: 'carol-password' });
  await db.user.update({ where: { id: carol.id }, data: { disabled: true } });
});
afterAll(() => server.stop());

describe('POST /api/auth/token', () => {
  it('signs in with a form body (OAuth password grant) and with a JSON body', async () => {
    const form = await fetch(`${server.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ADMIN.username, password: ADMIN.password }),
    });
    expect(form.status).toBe(200);
    const json = await post(`${server.url}/api/auth/token`, { username: ADMIN.username, password: ADMIN.password });
    expect(json.status).toBe(200);
    for (const response of [form, json]) {
      const body = (await response.json()) as TokenBody;
      expect(body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
      // Counted from the session's start, taken before the password check: a second can pass meanwhile.
      expect(body.refresh_expires_in).toBeGreaterThanOrEqual(7 * 86_400 - 2);
      expect(body.refresh_expires_in).toBeLessThanOrEqual(7 * 86_400);
      expect(body.access_token.split('.')).toHaveLength(3);
      expect(body.refresh_token.split('.')).toHaveLength(3);
    }
  });

  it('answers with no-store and sets the access cookie HttpOnly, SameSite=Lax, Path=/', async () => {
    const response = await post(`${server.url}/api/auth/token`, ADMIN);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cookie = response.headers.get('set-cookie') ?? '';
    const body = (await response.json()) as TokenBody;
    expect(cookie).toContain(`staysignedin_access=${body.access_token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=900/);
  });

  it('gives an unknown user and a wrong password the identical status and body', async () => {
    const unknown = await post(`${server.url}/api/auth/token`, { username: 'nobody', password: ADMIN.password });
    const wrong = await post(`${server.url}/api/auth/token`, { username: ADMIN.username, password: 'wrong password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const [a, b] = [await problem(unknown), await problem(wrong)];
    expect(a).toEqual(b);
    expect(a).toMatchObject({ code: 'invalid_credentials', error: 'invalid_grant', status: 401 });
  });

  it('reveals a disabled account (403) only to someone who knows its password', async () => {
    const wrong = await post(`${server.url}/api/auth/token`, { username: 'carol', password: 'guess-guess' });
    expect((await problem(wrong)).code).toBe('invalid_credentials');
    const right = await post(`${server.url}/api/auth/token`, { username: 'carol', password: 'carol-password' });
    expect(right.status).toBe(403);
    expect((await problem(right)).code).toBe('account_disabled');
  });

  it.each([
    ['malformed JSON', '{"username": ', 'application/json', 400, 'invalid_request'],
    ['a JSON array', '[]', 'application/json', 400, 'invalid_request'],
    ['missing fields', '{"username":"admin"}', 'application/json', 400, 'invalid_request'],
    ['wrong field types', '{"username":1,"password":["x"]}', 'application/json', 400, 'invalid_request'],
    ['a wrong content type', 'username=admin', 'text/plain', 415, 'unsupported_media_type'],
    [
      'an unsupported grant type',
      'grant_type=client_credentials&username=a&password=b',
      'application/x-www-form-urlencoded',
      400,
      'unsupported_grant_type',
    ],
    [
      'an oversize body',
      JSON.stringify({ username: 'admin', password: 'x'.repeat(20_000) }),
      'application/json',
      413,
      'payload_too_large',
    ],
  ])('answers %s with a %s problem body, never a 500', async (_name, body, type, status, code) => {
    const response = await fetch(`${server.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(response.status).toBe(status);
    const details = await problem(response);
    expect(details).toMatchObject({ status, code, type: `/problems/${code}` });
    expect(JSON.stringify(details)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack traces
  });

  it('names each invalid parameter in a 400', async () => {
    const response = await post(`${server.url}/api/auth/token`, { password: 'x' });
    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      invalid_params: [{ name: 'username', reason: 'is required' }],
    });
  });
});

describe('GET /api/auth/me', () => {
  it('returns the user (by id, never only the name) and the session for a valid access token', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await me(server.url, tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      id: string;
      username: string;
      role: string;
      session: { id: string; expiresAt: string };
    };
    expect(body).toMatchObject({ username: 'admin', role: 'admin' });
    const claims = decodeClaims(tokens.access_token);
    expect(body.id).toBe(claims.sub);
    expect(body.session.id).toBe(claims.sid);
    expect(new Date(body.session.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it('answers an unknown API path with a problem+json 404 once authenticated', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await fetch(`${server.url}/api/nothing/here`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(404);
    expect((await problem(response)).code).toBe('not_found');
  });
});

describe('GET /api/health', () => {
  it('answers 200 {status: "ok"} after checking the database', async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('cross-site requests', () => {
  it.each(['/api/auth/token', '/api/auth/refresh', '/api/auth/logout'])(
    'are refused at %s when the browser says the request came from another site',
    async (path) => {
      const response = await post(`${server.url}${path}`, ADMIN, { 'sec-fetch-site': 'cross-site' });
      expect(response.status).toBe(403);
      expect((await problem(response)).code).toBe('forbidden');
    },
  );

  it('are accepted from the same origin', async () => {
    const response = await post(`${server.url}/api/auth/token`, ADMIN, { 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(200);
  });
});
