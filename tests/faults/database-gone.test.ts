// The SQLite file disappears under a running server (deleted, or its volume unmounted): health
// says so, writes are refused rather than sent into a file nobody will ever read again.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFilePath } from '@/lib/db/location';
import { post, problem, signIn } from '../helpers/http';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';

let server: TestServer;

const sqliteOnly = TEST_PROVIDER !== 'sqlite';

beforeAll(async () => {
  if (sqliteOnly) return;
  server = await startServer({ label: 'gone' });
});
afterAll(() => server?.stop());

describe.skipIf(sqliteOnly)('a database file that disappears', () => {
  it('turns health to 503 within a second, refuses writes with 503, and keeps pages up', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const file = sqliteFilePath(server.dbUrl);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

    const health = await until(
      () => fetch(`${server.url}/api/health`),
      (response) => response.status !== 200,
      { timeoutMs: 1000 },
    );
    expect(health.status).toBe(503);
    expect((await problem(health)).code).toBe('service_unavailable');

    const signin = await post(`${server.url}/api/auth/token`, ADMIN);
    expect(signin.status).toBe(503);
    const logout = await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token });
    expect(logout.status).toBe(503);
    expect((await fetch(`${server.url}/login`)).status).toBe(200);
    expect(server.output()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
