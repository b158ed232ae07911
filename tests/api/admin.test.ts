// User administration: administrators only (enforced on the server), the last admin protected,
// disabling / password reset / deletion end the user's sessions at once; every step audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let admin: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'admin', env: { ENABLE_BENCH_ROUTES: 'true' } });
  admin = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

function api(path: string, tokens: TokenBody, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

type User = { id: string; username: string; role: string; disabled: boolean };

async function createUser(username: string, role = 'user', password = `${username} long password`): Promise<User> {
  const response = await api('/api/admin/users', admin, 'POST', { username, password, role });
  expect(response.status).toBe(201);
  return (await response.json()) as User;
}

async function auditTypes(userId: string): Promise<string[]> {
  const response = await api(`/api/audit?user=${userId}&limit=200`, admin);
  return ((await response.json()) as { events: { type: string }[] }).events.map((event) => event.type);
}

describe('user administration', () => {
  it('creates, lists and searches users', async () => {
    const dora = await createUser('dora');
    expect(dora).toMatchObject({ username: 'dora', role: 'user', disabled: false });
    const all = (await (await api('/api/admin/users', admin)).json()) as { users: User[] };
    expect(all.users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'dora']));
    expect(JSON.stringify(all)).not.toContain('passwordHash');
    const found = (await (await api('/api/admin/users?search=DOR', admin)).json()) as { users: User[] };
    expect(found.users.map((u) => u.username)).toEqual(['dora']);
    expect(await auditTypes(dora.id)).toContain('user.created');
  });

  it('refuses a taken username (409), a weak password and a bad role (400)', async () => {
    await createUser('emil');
    expect(
      (await api('/api/admin/users', admin, 'POST', { username: 'EMIL', password: 'another long password' })).status,
    ).toBe(409);
    expect((await api('/api/admin/users', admin, 'POST', { username: 'fay', password: 'short' })).status).toBe(400);
    expect(
      (await api('/api/admin/users', admin, 'POST', { username: 'fay', password: 'long enough pw', role: 'root' }))
        .status,
    ).toBe(400);
  });

  it('refuses a look-alike of an existing name (409, naming it) and names that mix scripts or hide characters (400)', async () => {
    await createUser('alice');
    for (const lookalike of ['аlice', 'alıce', 'a1ice', 'ALİCE']) {
      const response = await api('/api/admin/users', admin, 'POST', {
        username: lookalike,
        password: 'long enough pw',
      });
      if (lookalike === 'аlice') {
        // Cyrillic а among Latin letters is refused before it is compared with anything.
        expect(response.status, lookalike).toBe(400);
        expect((await problem(response)).detail).toMatch(/mix writing systems/);
        continue;
      }
      expect(response.status, lookalike).toBe(409);
      expect((await problem(response)).detail).toMatch(/looks like the existing account "alice"/);
    }
    // The other way round: a whole-Cyrillic "асе" first, then the Latin "ace" looks like it.
    expect((await api('/api/admin/users', admin, 'POST', { username: 'асе', password: 'long enough pw' })).status).toBe(
      201,
    );
    const ace = await api('/api/admin/users', admin, 'POST', { username: 'ace', password: 'long enough pw' });
    expect(ace.status).toBe(409);
    expect((await problem(ace)).detail).toMatch(/looks like the existing account "асе"/);
    // Unicode's confusables beyond the obvious ones, and a Han letter passing for a Latin one.
    expect(
      (await api('/api/admin/users', admin, 'POST', { username: 'aǀice', password: 'long enough pw' })).status,
    ).toBe(409);
    for (const hidden of ['al\u3164ice', 'al\u200bice', '\uffa0', 'ɑlice', 'a丨ice', 'bob\u0335']) {
      const response = await api('/api/admin/users', admin, 'POST', { username: hidden, password: 'long enough pw' });
      expect(response.status, JSON.stringify(hidden)).toBe(400);
    }
  });

  it('answers 403 to a non-admin on every admin endpoint, and 401 without a token', async () => {
    const gus = await createUser('gus');
    const tokens = await signIn(server.url, 'gus', 'gus long password');
    const calls: [string, string, unknown?][] = [
      ['/api/admin/users', 'GET'],
      ['/api/admin/users', 'POST', { username: 'x1', password: 'long enough pw' }],
      [`/api/admin/users/${gus.id}`, 'PATCH', { role: 'admin' }],
      [`/api/admin/users/${gus.id}`, 'DELETE'],
    ];
    for (const [path, method, body] of calls) {
      const response = await api(path, tokens, method, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await problem(response)).code).toBe('forbidden');
      const anonymous = await fetch(`${server.url}${path}`, { method });
      expect(anonymous.status).toBe(401);
    }
  });

  it('disabling ends the sessions at once, and enabling lets the user sign in again', async () => {
    const hana = await createUser('hana');
    const tokens = await signIn(server.url, 'hana', 'hana long password');
    const disabled = await api(`/api/admin/users/${hana.id}`, admin, 'PATCH', { disabled: true });
    expect(disabled.status).toBe(200);
    expect((await disabled.json()) as User).toMatchObject({ disabled: true });
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401);
    expect((await api('/api/bench/protected', tokens)).status).toBe(401);
    const signin = await fetch(`${server.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hana', password: 'hana long password' }),
    });
    expect((await problem(signin)).code).toBe('account_disabled');
    expect((await api(`/api/admin/users/${hana.id}`, admin, 'PATCH', { disabled: false })).status).toBe(200);
    await signIn(server.url, 'hana', 'hana long password');
    expect(await auditTypes(hana.id)).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('a password reset ends the sessions and the new password works', async () => {
    const ivan = await createUser('ivan');
    const tokens = await signIn(server.url, 'ivan', 'ivan long password');
    expect((await api(`/api/admin/users/${ivan.id}`, admin, 'PATCH', { password: 'reset by the admin' })).status).toBe(
      200,
    );
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401);
    await signIn(server.url, 'ivan', 'reset by the admin');
    expect(await auditTypes(ivan.id)).toContain('user.password_reset');
  });

  it('deleting ends the sessions; a new user with the same name never inherits old tokens', async () => {
    const jo = await createUser('jo');
    const tokens = await signIn(server.url, 'jo', 'jo long password');
    expect((await api(`/api/admin/users/${jo.id}`, admin, 'DELETE')).status).toBe(204);
    expect((await api('/api/bench/protected', tokens)).status).toBe(401);
    const again = await createUser('jo');
    expect(again.id).not.toBe(jo.id);
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401);
    expect((await api('/api/auth/me', tokens)).status).toBe(401);
    expect((await api(`/api/admin/users/${jo.id}`, admin, 'DELETE')).status).toBe(404);
  });

  it('protects the last active admin from being disabled, demoted or deleted (409)', async () => {
    const adminId = decodeClaims(admin.access_token).sub as string;
    for (const [method, body] of [
      ['PATCH', { disabled: true }],
      ['PATCH', { role: 'user' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await api(`/api/admin/users/${adminId}`, admin, method, body);
      expect(response.status, `${method} ${JSON.stringify(body)}`).toBe(409);
    }
    // With a second admin, the first may step down; then the second is the last one.
    const kim = await createUser('kim', 'admin');
    expect((await api(`/api/admin/users/${adminId}`, admin, 'PATCH', { role: 'user' })).status).toBe(200);
    const kimTokens = await signIn(server.url, 'kim', 'kim long password');
    expect((await api(`/api/admin/users/${kim.id}`, kimTokens, 'PATCH', { disabled: true })).status).toBe(409);
    // The demotion ended the demoted admin's sessions: its access token opens nothing any more.
    expect((await api('/api/admin/users', admin)).status).toBe(401);
    const demoted = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect((await api('/api/admin/users', demoted)).status).toBe(403);
    expect((await api(`/api/admin/users/${adminId}`, kimTokens, 'PATCH', { role: 'admin' })).status).toBe(200);
    admin = await signIn(server.url, ADMIN.username, ADMIN.password);
  });

  it("resets the administrator's own password only with the current one, as the account page does", async () => {
    const pat = await createUser('pat', 'admin');
    const tokens = await signIn(server.url, 'pat', 'pat long password');
    const reset = (body: Record<string, string>) => api(`/api/admin/users/${pat.id}`, tokens, 'PATCH', body);
    const missing = await reset({ password: 'taken over passphrase' });
    expect(missing.status).toBe(400);
    expect((await problem(missing)).detail).toMatch(/current_password/);
    const wrong = await reset({ password: 'taken over passphrase', current_password: 'a guess at it' });
    expect(wrong.status).toBe(401);
    expect((await problem(wrong)).code).toBe('invalid_credentials');
    // Nothing changed: the old password still signs in, and the wrong guess is on the record.
    await signIn(server.url, 'pat', 'pat long password');
    expect(await auditTypes(pat.id)).toContain('password.change_failed');
    expect((await reset({ password: 'a chosen new passphrase', current_password: 'pat long password' })).status).toBe(
      200,
    );
    await signIn(server.url, 'pat', 'a chosen new passphrase');
    // Another administrator's reset needs no such thing.
    expect(
      (await api(`/api/admin/users/${pat.id}`, admin, 'PATCH', { password: 'reset by another admin' })).status,
    ).toBe(200);
  });

  it('validates PATCH bodies and ids', async () => {
    const lou = await createUser('lou');
    expect((await api(`/api/admin/users/${lou.id}`, admin, 'PATCH', {})).status).toBe(400);
    expect((await api(`/api/admin/users/${lou.id}`, admin, 'PATCH', { disabled: 'yes' })).status).toBe(400);
    expect((await api('/api/admin/users/no-such-user', admin, 'PATCH', { disabled: true })).status).toBe(404);
    expect((await api('/api/admin/users/%00', admin, 'DELETE')).status).toBe(404);
  });
});

describe('audit log access', () => {
  it('shows users their own events only, whatever filter they ask for', async () => {
    const mia = await createUser('mia');
    const tokens = await signIn(server.url, 'mia', 'mia long password');
    const adminId = decodeClaims(admin.access_token).sub as string;
    const response = await api(`/api/audit?user=${adminId}`, tokens);
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: { userId: string; type: string }[] };
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.userId === mia.id)).toBe(true);
  });

  it('pages with a cursor and filters by type; rejects unknown types', async () => {
    const first = (await (await api('/api/audit?limit=2', admin)).json()) as { events: { id: number }[]; next: number };
    expect(first.events).toHaveLength(2);
    const second = (await (await api(`/api/audit?limit=2&before=${first.next}`, admin)).json()) as {
      events: { id: number }[];
    };
    expect(second.events[0]!.id).toBeLessThan(first.events[1]!.id);
    const created = (await (await api('/api/audit?type=user.created', admin)).json()) as { events: { type: string }[] };
    expect(created.events.every((event) => event.type === 'user.created')).toBe(true);
    expect((await api('/api/audit?type=nonsense', admin)).status).toBe(400);
    expect((await api('/api/audit?limit=100000', admin)).status).toBe(400);
  });
});
