// POST /api/auth/refresh and /api/auth/logout over HTTP: rotation, replay, revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { untilTime } from '../helpers/wait';

const GRACE_SECONDS = 1;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'rotation', env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
});
afterAll(() => server.stop());

/** Until the grace window of the last rotation is over: it began no later than its answer arrived. */
let lastRotation = 0;
const afterGrace = () => untilTime(lastRotation + GRACE_SECONDS * 1000 + 1);

async function rotated(token: string): Promise<TokenBody> {
  const response = await refresh(server.url, token);
  lastRotation = Date.now();
  expect(response.status).toBe(200);
  return (await response.json()) as TokenBody;
}

async function refusedWith(token: string): Promise<string> {
  const response = await refresh(server.url, token);
  expect(response.status).toBe(401);
  const body = await problem(response);
  expect(body.error).toBe('invalid_grant');
  return body.code;
}

describe('POST /api/auth/refresh', () => {
  it('rotates: a new pair for the same session, and the used token is dead', async () => {
    const first = await signIn(server.url, ADMIN.username, ADMIN.password);
    const second = await rotated(first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(decodeClaims(second.access_token).sid).toBe(decodeClaims(first.access_token).sid);
    expect((await me(server.url, second.access_token)).status).toBe(200);
    await afterGrace();
    expect(await refusedWith(first.refresh_token)).toBe('token_reused');
  });

  it('kills the successor too when a used token is replayed after the grace window', async () => {
    const first = await signIn(server.url, ADMIN.username, ADMIN.password);
    const second = await rotated(first.refresh_token);
    await afterGrace();
    expect(await refusedWith(first.refresh_token)).toBe('token_reused');
    expect(await refusedWith(second.refresh_token)).toBe('token_reused');
    // The session is gone for API calls that check it as well.
    expect((await me(server.url, second.access_token)).status).toBe(401);
  });

  it('accepts a form body with grant_type=refresh_token', async () => {
    const first = await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/staysignedin_access=ey/);
  });

  it('refuses an access token at the refresh endpoint', async () => {
    const first = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect(await refusedWith(first.access_token)).toBe('invalid_token');
  });

  it('answers malformed input with 4xx problems', async () => {
    expect((await post(`${server.url}/api/auth/refresh`, '{')).status).toBe(400);
    expect((await post(`${server.url}/api/auth/refresh`, {})).status).toBe(400);
    expect((await post(`${server.url}/api/auth/refresh`, { refresh_token: 'garbage' })).status).toBe(401);
    expect((await post(`${server.url}/api/auth/refresh`, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('refuses a disabled user (401 account_disabled, so the client signs out)', async () => {
    const db = await server.db();
    const dave = await createUser(await server.users(), { username: 'dave', password: 'dave-password' });
    const tokens = await signIn(server.url, 'dave', 'dave-password');
    await db.user.update({ where: { id: dave.id }, data: { disabled: true } });
    expect(await refusedWith(tokens.refresh_token)).toBe('account_disabled');
  });

  it("does not accept a deleted user's tokens for a new user re-created with the same name", async () => {
    const db = await server.db();
    const old = await createUser(await server.users(), { username: 'erin', password: 'erin-password' });
    const oldTokens = await signIn(server.url, 'erin', 'erin-password');
    await db.user.delete({ where: { id: old.id } });
    const fresh = await createUser(await server.users(), { username: 'erin', password: 'erin-password' });
    expect(fresh.id).not.toBe(old.id);
    expect(await refusedWith(oldTokens.refresh_token)).toBe('invalid_token');
    expect((await me(server.url, oldTokens.access_token)).status).toBe(401);
    // The new account works normally.
    const newTokens = await signIn(server.url, 'erin', 'erin-password');
    expect(((await (await me(server.url, newTokens.access_token)).json()) as { id: string }).id).toBe(fresh.id);
  });
});

describe('POST /api/auth/logout', () => {
  it('revokes the session on the server: the refresh token stops working, and the cookie is cleared (rule 5)', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/staysignedin_access=; .*Max-Age=0/);
    expect(await refusedWith(tokens.refresh_token)).toBe('session_revoked');
    expect((await me(server.url, tokens.access_token)).status).toBe(401);
  });

  it('signs out with the Bearer access token alone', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(204);
    expect(await refusedWith(tokens.refresh_token)).toBe('session_revoked');
  });

  it('is idempotent and answers 204 for missing, bad or already-used tokens', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const attempts = [
      () => post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token }),
      () => post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token }),
      () => post(`${server.url}/api/auth/logout`, { refresh_token: 'not-a-token' }),
      () => fetch(`${server.url}/api/auth/logout`, { method: 'POST' }),
      () => fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { authorization: 'Bearer rubbish' } }),
    ];
    for (const attempt of attempts) expect((await attempt()).status).toBe(204);
  });

  it('still refuses a malformed body with a 4xx problem', async () => {
    expect((await post(`${server.url}/api/auth/logout`, '{"refresh_token":')).status).toBe(400);
    expect((await post(`${server.url}/api/auth/logout`, { refresh_token: 42 })).status).toBe(400);
  });
});
