// Another process holds the SQLite write lock (a backup, a sqlite3 shell, a stuck job): the server
// keeps serving what needs no database, answers 503 quickly for what does, and loses nothing.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFilePath } from '@/lib/db/location';
import { post, refresh, signIn, type TokenBody } from '../helpers/http';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;

const sqliteOnly = TEST_PROVIDER !== 'sqlite';

beforeAll(async () => {
  if (sqliteOnly) return;
  server = await startServer({ label: 'locked' });
});
afterAll(() => server?.stop());

async function timed(request: Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await request;
  await response.arrayBuffer().catch(() => undefined);
  return { response, ms: performance.now() - started };
}

/** Holds the database's write lock from this (test) process until released. */
function holdWriteLock(): () => void {
  const other = new Database(sqliteFilePath(server.dbUrl));
  other.exec('BEGIN IMMEDIATE');
  other.exec('UPDATE HealthProbe SET checkedAt = checkedAt');
  other.exec('INSERT OR IGNORE INTO HealthProbe (id, checkedAt) VALUES (2, 0)');
  return () => {
    other.exec('ROLLBACK');
    other.close();
  };
}

async function expectUnavailable(result: { response: Response; ms: number }) {
  expect(result.response.status).toBe(503);
  expect(result.response.headers.get('retry-after')).toBe('1');
  expect(result.ms).toBeLessThan(1000);
}

describe.skipIf(sqliteOnly)('a database locked by another process', () => {
  let tokens: TokenBody;
  let other: TokenBody;

  beforeAll(async () => {
    tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    other = await signIn(server.url, ADMIN.username, ADMIN.password);
  });

  it('answers 503 with Retry-After within a second where a write is needed, and keeps pages fast', async () => {
    // Load every route once first: loading a route's code on its first request (slow on a busy
    // machine) is not what is measured here.
    await Promise.all([
      fetch(`${server.url}/login`).then((r) => r.arrayBuffer()),
      refresh(server.url, 'not a token').then((r) => r.arrayBuffer()),
      post(`${server.url}/api/auth/logout`, {}).then((r) => r.arrayBuffer()),
      fetch(`${server.url}/api/health`).then((r) => r.arrayBuffer()),
      fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then((r) =>
        r.arrayBuffer(),
      ),
    ]);
    const release = holdWriteLock();
    try {
      const [page, page2, signin, refreshed, logout, health, me] = await Promise.all([
        timed(fetch(`${server.url}/login`)),
        timed(fetch(`${server.url}/login`)),
        timed(post(`${server.url}/api/auth/token`, ADMIN)),
        timed(refresh(server.url, tokens.refresh_token)),
        timed(post(`${server.url}/api/auth/logout`, { refresh_token: other.refresh_token })),
        timed(fetch(`${server.url}/api/health`)),
        timed(fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })),
      ]);
      // The event loop was never blocked on the lock: the page that needs no database answers well
      // within the second the others take (before: 5 to 20 s, behind a synchronous busy wait).
      expect(page.response.status).toBe(200);
      expect(page2.response.status).toBe(200);
      expect(Math.max(page.ms, page2.ms)).toBeLessThan(1000);
      for (const result of [signin, refreshed, logout, health]) await expectUnavailable(result);
      // Readers are not blocked by a writer in WAL mode.
      expect(me.response.status).toBe(200);
    } finally {
      release();
    }
  });

  it('left the refresh token unused: after the lock is gone it refreshes normally', async () => {
    const response = await refresh(server.url, tokens.refresh_token);
    expect(response.status).toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    // The sign-out refused with 503 did not happen either: that session still refreshes.
    expect((await refresh(server.url, other.refresh_token)).status).toBe(200);
  });

  it('never logged a stack trace for any of it', () => {
    expect(server.output()).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(server.output()).not.toContain('internal_error');
  });
});
