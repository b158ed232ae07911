// The user's own sessions: list, end one, end all others; and the password change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { createUser } from '@/lib/users/users';

let server: TestServer;
const BOB = { username: 'bob', password: 'bob has a long password' };

beforeAll(async () => {
  server = await startServer({ label: 'sessions', env: { ENABLE_BENCH_ROUTES: 'true' } });
  await createUser(await server.users(), BOB);
});
afterAll(() => server.stop());

function api(path: string, tokens: TokenBody, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${tokens.access_token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${server.url}${path}`, { ...init, headers });
}

const sid = (tokens: TokenBody) => decodeClaims(tokens.access_token).sid as string;

type SessionList = { sessions: { id: string; current: boolean; device: { label: string }; ip: string | null }[] };

describe('sessions API', () => {
  it('lists the live sessions of the caller only, with this device marked', async () => {
    const mine = await signIn(server.url, BOB.username, BOB.password);
    const other = await signIn(server.url, BOB.username, BOB.password);
    await signIn(server.url, ADMIN.username, ADMIN.password);
    const response = await api('/api/auth/sessions', mine);
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as SessionList;
    const ids = sessions.map((s) => s.id);
    expect(ids).toContain(sid(mine));
    expect(ids).toContain(sid(other));
    expect(sessions.find((s) => s.id === sid(mine))?.current).toBe(true);
    expect(sessions.find((s) => s.id === sid(other))?.current).toBe(false);
    expect(sessions[0]?.device.label).toMatch(/ on /);
    // The socket's address is known without a proxy.
    expect(sessions[0]?.ip).toBe('127.0.0.1');
  });

  it('ends one session: its refresh fails at once and its access token stops', async () => {
    const mine = await signIn(server.url, BOB.username, BOB.password);
    const lost = await signIn(server.url, BOB.username, BOB.password);
    expect((await api(`/api/auth/sessions/${sid(lost)}`, mine, { method: 'DELETE' })).status).toBe(204);
    const refused = await refresh(server.url, lost.refresh_token);
    expect(refused.status).toBe(401);
    expect((await problem(refused)).code).toBe('session_revoked');
    expect((await api('/api/bench/protected', lost)).status).toBe(401);
    expect((await me(server.url, mine.access_token)).status).toBe(200);
  });

  it("answers 404 for another user's session, for an ended one and for a malformed id", async () => {
    const bob = await signIn(server.url, BOB.username, BOB.password);
    const admin = await signIn(server.url, ADMIN.username, ADMIN.password);
    for (const id of [sid(admin), 'no-such-session', '..%2F..%2Fetc', 'x'.repeat(100)]) {
      const response = await api(`/api/auth/sessions/${id}`, bob, { method: 'DELETE' });
      expect(response.status, id).toBe(404);
    }
    expect((await me(server.url, admin.access_token)).status).toBe(200);
  });

  it('signs out everywhere else, keeping this session', async () => {
    const mine = await signIn(server.url, BOB.username, BOB.password);
    const others = [
      await signIn(server.url, BOB.username, BOB.password),
      await signIn(server.url, BOB.username, BOB.password),
    ];
    const response = await api('/api/auth/sessions/revoke-others', mine, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(2);
    for (const other of others) expect((await refresh(server.url, other.refresh_token)).status).toBe(401);
    expect((await refresh(server.url, mine.refresh_token)).status).toBe(200);
    const { sessions } = (await (await api('/api/auth/sessions', mine)).json()) as SessionList;
    expect(sessions.map((s) => s.id)).toEqual([sid(mine)]);
  });
});

describe('password change', () => {
  const CAROL = { username: 'carol', password: 'carol original password' };
  beforeAll(async () => {
    await createUser(await server.users(), CAROL);
  });

  it('refuses a wrong current password with 401 and a weak new one with 400, changing nothing', async () => {
    const tokens = await signIn(server.url, CAROL.username, CAROL.password);
    const wrong = await api('/api/auth/password', tokens, {
      method: 'POST',
      body: JSON.stringify({ current_password: 'not it at all', new_password: 'a perfectly fine new one' }),
    });
    expect(wrong.status).toBe(401);
    expect((await problem(wrong)).code).toBe('invalid_credentials');
    for (const weak of ['short', 'carol', 'password123', CAROL.password]) {
      const response = await api('/api/auth/password', tokens, {
        method: 'POST',
        body: JSON.stringify({ current_password: CAROL.password, new_password: weak }),
      });
      expect(response.status, weak).toBe(400);
      expect(((await problem(response)) as unknown as { invalid_params: unknown[] }).invalid_params).toHaveLength(1);
    }
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(200);
  });

  it('ends every other session and continues this device with a fresh pair', async () => {
    const here = await signIn(server.url, CAROL.username, CAROL.password);
    const elsewhere = await signIn(server.url, CAROL.username, CAROL.password);
    const response = await api('/api/auth/password', here, {
      method: 'POST',
      body: JSON.stringify({ current_password: CAROL.password, new_password: 'carol brand new passphrase' }),
    });
    expect(response.status).toBe(200);
    const fresh = (await response.json()) as TokenBody;
    expect(sid(fresh)).not.toBe(sid(here));
    expect((await refresh(server.url, elsewhere.refresh_token)).status).toBe(401);
    expect((await refresh(server.url, here.refresh_token)).status).toBe(401);
    expect((await api('/api/bench/protected', elsewhere)).status).toBe(401);
    expect((await refresh(server.url, fresh.refresh_token)).status).toBe(200);
    // The new password signs in; the old one does not.
    expect((await post(`${server.url}/api/auth/token`, { username: 'carol', password: CAROL.password })).status).toBe(
      401,
    );
    await signIn(server.url, 'carol', 'carol brand new passphrase');
  });
});
