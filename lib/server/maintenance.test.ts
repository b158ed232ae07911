// The hourly maintenance keeps storage bounded by what is live: ended sessions go after
// SESSION_RETENTION_DAYS, used DPoP proof ids once no proof could reuse them, and what is still
// live stays (docs/operations.md, "What the database keeps").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSession } from '@/lib/auth/sessions';
import { signIn } from '@/lib/auth/sign-in';
import { randomId } from '@/lib/ids';
import { LOCAL_ADMIN, LOCAL_ORIGIN, localApp } from '@/tests/helpers/local-app';
import { pruneOldRecords } from './maintenance';

const DAY_MS = 24 * 60 * 60 * 1000;
const client = { userAgent: 'maintenance test', ip: null };

let local: Awaited<ReturnType<typeof localApp>>;

beforeAll(async () => {
  local = await localApp({ SESSION_RETENTION_DAYS: '30' });
});
afterAll(() => local.close());

async function signedIn() {
  return (await signIn(local.app.auth, LOCAL_ADMIN, client, null)).pair;
}

async function refresh(refreshToken: string): Promise<{ status: number; body: unknown }> {
  const response = await local.fetch(`${LOCAL_ORIGIN}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  return { status: response.status, body: await response.json() };
}

async function sessionExists(accessToken: string): Promise<boolean> {
  const { sid } = await local.app.auth.tokens.verifyAccess(accessToken);
  return (await local.app.database.client.session.count({ where: { id: sid } })) === 1;
}

describe('pruneOldRecords', () => {
  it('deletes a session ended longer ago than the retention and keeps ended ones inside it and live ones', async () => {
    const ended = await signedIn();
    const recent = await signedIn();
    const live = await signedIn();
    const now = Date.now();
    await revokeSession(local.app.auth, (await local.app.auth.tokens.verifyAccess(ended.accessToken)).sid, 'logout');

    // Thirty days and one hour on, by the maintenance's clock: `ended` ended 30 days ago and more.
    await pruneOldRecords(local.app, new Date(now + 30 * DAY_MS + 60 * 60 * 1000));
    // `recent` is revoked only now, so a retention window later it is still kept.
    await revokeSession(local.app.auth, (await local.app.auth.tokens.verifyAccess(recent.accessToken)).sid, 'logout');
    await pruneOldRecords(local.app, new Date(now + 29 * DAY_MS));

    expect(await sessionExists(ended.accessToken)).toBe(false);
    expect(await sessionExists(recent.accessToken)).toBe(true);
    expect(await sessionExists(live.accessToken)).toBe(true);
    expect((await refresh(live.refreshToken)).status).toBe(200);
  });

  it('answers a token of a pruned session exactly as a token of a session that never existed', async () => {
    const pruned = await signedIn();
    const claims = await local.app.auth.tokens.verifyRefresh(pruned.refreshToken);
    await revokeSession(local.app.auth, claims.sid, 'logout');
    await pruneOldRecords(local.app, new Date(Date.now() + 31 * DAY_MS));
    expect(await sessionExists(pruned.accessToken)).toBe(false);

    const unknown = local.app.auth.tokens.signRefresh(
      { sub: claims.sub, sid: randomId(), gen: 0 },
      Math.floor(Date.now() / 1000) + 3600,
      new Date(),
    );
    const [afterPrune, neverExisted] = [await refresh(pruned.refreshToken), await refresh(unknown)];
    expect(afterPrune.status).toBe(401);
    expect(afterPrune).toEqual(neverExisted);
  });

  it('deletes used DPoP proof ids once no proof could still be accepted, and keeps the others', async () => {
    const { store } = local.app.database;
    const proofs = () => local.app.database.client.dpopProof.count();
    const now = new Date();
    await pruneOldRecords(local.app, now);
    const before = await proofs();
    expect(await store.rememberDpopProof(randomId(), new Date(now.getTime() - 1000))).toBe(true);
    expect(await store.rememberDpopProof(randomId(), new Date(now.getTime() + 60_000))).toBe(true);

    await pruneOldRecords(local.app, now);
    expect(await proofs()).toBe(before + 1);
    await pruneOldRecords(local.app, new Date(now.getTime() + DAY_MS));
    expect(await proofs()).toBe(0);
  });
});
