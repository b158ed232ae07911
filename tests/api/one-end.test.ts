// Ending a session is decided once, whichever way it ends (sign-out, ending one session, "sign
// out everywhere else", administration, reuse detection): of concurrent requests, one ends it and
// writes its event; the others learn it had ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { decodeClaims } from '../helpers/forge';
import { post, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

const RACERS = 5;
let server: TestServer;
let admin: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'one-end', env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
  admin = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

let users = 0;
async function account() {
  const username = `ender${++users}`;
  const password = `${username} long password`;
  const user = await createUser(await server.users(), { username, password });
  return { ...user, password, signIn: () => signIn(server.url, username, password) };
}

function api(tokens: TokenBody, route: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const sid = (tokens: TokenBody) => decodeClaims(tokens.access_token).sid as string;
const race = <T>(work: () => Promise<T>) => Promise.all(Array.from({ length: RACERS }, work));

async function events(type: string, where: { userId?: string; sessionId?: string }) {
  return (await server.db()).auditEvent.findMany({ where: { type, ...where } });
}

describe('one end, one answer', () => {
  it('answers one of five concurrent DELETEs of a session 204 and the rest 404, with one event', async () => {
    const user = await account();
    const mine = await user.signIn();
    const other = await user.signIn();
    const statuses = (await race(() => api(mine, `/api/auth/sessions/${sid(other)}`, 'DELETE'))).map((r) => r.status);
    expect(statuses.sort()).toEqual([204, 404, 404, 404, 404]);
    expect(await events('session.revoked', { sessionId: sid(other) })).toHaveLength(1);
  });

  it('writes one event for five concurrent sign-outs of one session, each answered 204', async () => {
    const user = await account();
    const tokens = await user.signIn();
    const responses = await race(() =>
      post(
        `${server.url}/api/auth/logout`,
        { refresh_token: tokens.refresh_token },
        { authorization: `Bearer ${tokens.access_token}` },
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(RACERS).fill(204));
    expect(await events('session.revoked', { sessionId: sid(tokens) })).toHaveLength(1);
  });

  it('counts each session once across five concurrent "sign out everywhere else"', async () => {
    const user = await account();
    const mine = await user.signIn();
    for (let i = 0; i < 3; i++) await user.signIn();
    const answers = await race(
      async () => (await (await api(mine, '/api/auth/sessions/revoke-others', 'POST')).json()) as { revoked: number },
    );
    expect(answers.reduce((sum, answer) => sum + answer.revoked, 0)).toBe(3);
    const logged = await events('session.revoked', { userId: user.id });
    expect(logged.reduce((sum, event) => sum + (JSON.parse(event.detail!) as { sessions: number }).sessions, 0)).toBe(
      3,
    );
    expect(logged).toHaveLength(answers.filter((answer) => answer.revoked > 0).length);
    expect(await (await server.db()).revocation.count({ where: { userId: user.id } })).toBe(3);
  });

  it('records reuse detection once when five replays of a used token race', async () => {
    const user = await account();
    const tokens = await user.signIn();
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(200);
    const statuses = (await race(() => refresh(server.url, tokens.refresh_token))).map((response) => response.status);
    expect(statuses).toEqual(Array(RACERS).fill(401));
    expect(await events('refresh.reuse_detected', { sessionId: sid(tokens) })).toHaveLength(1);
    expect(await (await server.db()).revocation.count({ where: { sessionId: sid(tokens) } })).toBe(1);
  });

  it('ends the sessions of an account once when two administrators disable it at the same moment', async () => {
    const user = await account();
    await user.signIn();
    await user.signIn();
    const responses = await race(() => api(admin, `/api/admin/users/${user.id}`, 'PATCH', { disabled: true }));
    expect(responses.map((response) => response.status)).toEqual(Array(RACERS).fill(200));
    const disabled = await events('user.disabled', { userId: user.id });
    expect(disabled).toHaveLength(1);
    expect(JSON.parse(disabled[0]!.detail!)).toMatchObject({ endedSessions: 2 });
    expect(await (await server.db()).revocation.count({ where: { userId: user.id } })).toBe(2);
  });

  it('deletes an account once: one 204, the rest 404, one event', async () => {
    const user = await account();
    await user.signIn();
    const statuses = (await race(() => api(admin, `/api/admin/users/${user.id}`, 'DELETE'))).map((r) => r.status);
    expect(statuses.sort()).toEqual([204, 404, 404, 404, 404]);
    expect(await events('user.deleted', { userId: user.id })).toHaveLength(1);
    expect(await (await server.db()).revocation.count({ where: { userId: user.id } })).toBe(1);
  });
});
