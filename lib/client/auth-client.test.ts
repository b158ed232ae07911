import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATHS } from '@/lib/api/routes';
import { decodeClaims } from '@/tests/helpers/forge';
import { LOCAL_ADMIN, LOCAL_ORIGIN, localApp } from '@/tests/helpers/local-app';
import { memoryStorage } from '@/tests/helpers/manual-timers';
import { memoryKeys } from '@/tests/helpers/memory-keys';
import { createUser } from '../users/users';
import { createAuthEngine } from './auth-engine';
import { systemClock } from './clock';

/**
 * The browser client's workflows, against the server's real route handlers on a real database
 * (in-process: tests/helpers/local-app.ts). Only the browser's storage and key store are Node's.
 */
let local: Awaited<ReturnType<typeof localApp>>;

beforeAll(async () => {
  local = await localApp();
});
afterAll(() => local.close());

const SETTINGS = {
  refreshLeadSeconds: 300,
  requestTimeoutMs: 5_000,
  sessionCheckSeconds: 60,
  passkeys: false,
  mail: false,
  sso: null,
};

function browser(options: { refusesKeys?: boolean } = {}) {
  const keys = memoryKeys({ refuses: options.refusesKeys ?? false });
  const storage = memoryStorage();
  const engine = createAuthEngine({
    storage,
    keys,
    baseUrl: () => `${LOCAL_ORIGIN}/login`,
    lock: (work) => work(),
    clock: systemClock,
    fetch: local.fetch,
    settings: SETTINGS,
  });
  return { ...engine, keys, storage };
}

let accounts = 0;
async function account() {
  const username = `client${++accounts}`;
  const password = `${username} long password`;
  const { app } = local;
  await createUser({ store: app.database.store, passwords: app.passwords }, { username, password });
  return { username, password };
}

const refresh = (refreshToken: string) =>
  local.fetch(PATHS.refresh, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });

describe('the auth client', () => {
  it('signs in bound to a new key of this browser, learns who signed in, and drops older keys', async () => {
    const tab = browser();
    expect(await tab.client.signIn(LOCAL_ADMIN.username, LOCAL_ADMIN.password)).toEqual({ ok: true });
    const first = tab.keys.held();
    expect(first).toHaveLength(1);
    const stored = tab.store.read()!;
    expect((decodeClaims(stored.refreshToken).cnf as { jkt: string }).jkt).toBe(first[0]!.jkt);
    expect(stored.user).toMatchObject({ username: LOCAL_ADMIN.username, role: 'admin' });
    // A copy of the bound refresh token, refreshed without the key, is refused.
    expect((await refresh(stored.refreshToken)).status).toBe(401);
    // The next sign-in in this browser makes its own key; the earlier one goes.
    await tab.client.signIn(LOCAL_ADMIN.username, LOCAL_ADMIN.password);
    expect(tab.keys.held().map((key) => key.jkt)).not.toContain(first[0]!.jkt);
    expect(tab.keys.held()).toHaveLength(1);
  });

  it('says what the error table says for a wrong password, stores no token and keeps no key', async () => {
    const tab = browser();
    const outcome = await tab.client.signIn(LOCAL_ADMIN.username, 'not the password');
    expect(outcome).toEqual({
      ok: false,
      failure: { code: 'invalid_credentials', message: 'Wrong username or password.' },
    });
    expect(tab.store.read()).toBeNull();
    expect(tab.keys.held()).toEqual([]);
  });

  it('signs in unbound where the browser cannot keep a key', async () => {
    const tab = browser({ refusesKeys: true });
    expect((await tab.client.signIn(LOCAL_ADMIN.username, LOCAL_ADMIN.password)).ok).toBe(true);
    const { refreshToken } = tab.store.read()!;
    expect(decodeClaims(refreshToken).cnf).toBeUndefined();
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('signs out on the server with a proof of the key, then forgets the key and the nonce', async () => {
    const tab = browser();
    await tab.client.signIn(LOCAL_ADMIN.username, LOCAL_ADMIN.password);
    const { refreshToken } = tab.store.read()!;
    const sid = decodeClaims(refreshToken).sid as string;
    expect(tab.storage.getItem('staysignedin.dpopNonce')).not.toBeNull();
    await tab.client.signOut();
    expect(tab.store.read()).toBeNull();
    expect(tab.keys.held()).toEqual([]);
    expect(tab.storage.getItem('staysignedin.dpopNonce')).toBeNull();
    expect((await local.app.database.store.findSession(sid))?.revokedReason).toBe('logout');
  });

  it('changes the password: a wrong current one is said so, the right one moves this browser to a new session', async () => {
    const user = await account();
    const tab = browser();
    await tab.client.signIn(user.username, user.password);
    const before = tab.store.read()!;
    const wrong = await tab.client.changePassword('not my password', 'a brand new passphrase');
    expect(wrong).toEqual({
      ok: false,
      failure: { code: 'invalid_credentials', message: 'The current password is not right.' },
    });
    const weak = await tab.client.changePassword(user.password, 'password123');
    expect(weak.ok || weak.failure.message).toMatch(/common/);
    expect(await tab.client.changePassword(user.password, 'a brand new passphrase')).toEqual({ ok: true });
    const after = tab.store.read()!;
    expect(decodeClaims(after.accessToken).sid).not.toBe(decodeClaims(before.accessToken).sid);
    expect(after.user?.username).toBe(user.username);
    // The old session is over; the new one is bound to the same browser key.
    expect(decodeClaims(after.refreshToken).cnf).toEqual(decodeClaims(before.refreshToken).cnf);
    const me = await tab.authFetch(PATHS.me);
    expect(me.status).toBe(200);
  });

  it("signs a proof of the session's key for changes, so the server accepts them", async () => {
    const user = await account();
    const tab = browser();
    const other = browser();
    await tab.client.signIn(user.username, user.password);
    await other.client.signIn(user.username, user.password);
    const response = await tab.authFetch(PATHS.revokeOthers, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revoked: 1 });
  });
});
