// Sign-in throttling (by address and by username, in the database) and the refresh limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { decodeClaims } from '../helpers/forge';
import { post, problem, refresh, signIn } from '../helpers/http';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';

let a: TestServer;
let b: TestServer | undefined;
// Long enough to outlast a restart on a busy machine; the recovery waits only what Retry-After says.
const LOCK_SECONDS = 12;

beforeAll(async () => {
  const env = {
    TRUST_PROXY: 'true', // lets the tests speak from several addresses through X-Forwarded-For
    THROTTLE_ADDRESS_MAX_FAILURES: '5',
    THROTTLE_USERNAME_MAX_FAILURES: '8',
    THROTTLE_LOCK_SECONDS: String(LOCK_SECONDS),
    REFRESH_RATE_LIMIT_PER_MINUTE: '40',
  };
  a = await startServer({ label: 'throttle-a', env });
  // On PostgreSQL, a second instance on the same database: the limits are shared. (A SQLite file
  // is one instance's; there the test restarts the one server instead.)
  if (TEST_PROVIDER === 'postgresql')
    b = await startServer({ label: 'throttle-b', env, databaseUrl: a.dbUrl, secret: a.secret });
  const users = await a.users();
  for (const name of ['nina', 'omar', 'pia', 'quinn', 'rosa']) {
    await createUser(users, { username: name, password: `${name} long password` });
  }
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

/** The other instance (PostgreSQL), or this one restarted (SQLite). */
async function anotherInstance(): Promise<TestServer> {
  if (b) return b;
  await a.restart();
  return a;
}

function attempt(server: TestServer, username: string, password: string, from: string): Promise<Response> {
  return post(`${server.url}/api/auth/token`, { username, password }, { 'x-forwarded-for': from });
}

async function statuses(server: TestServer, username: string, count: number, from: string): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt(server, username, 'wrong password', from)).status);
  return seen;
}

describe('sign-in throttling', () => {
  it('answers 429 with Retry-After within 20 wrong passwords in a row, before checking any password', async () => {
    const seen = await statuses(a, 'nina', 20, '203.0.113.1');
    expect(seen.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(seen.slice(5)).toEqual(Array(15).fill(429));
    const refused = await attempt(a, 'nina', 'nina long password', '203.0.113.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await problem(refused)).code).toBe('too_many_attempts');
  });

  it('does not let one address lock the user out: the owner signs in from elsewhere', async () => {
    // nina was attacked from 203.0.113.1 above.
    expect((await attempt(a, 'nina', 'nina long password', '198.51.100.7')).status).toBe(200);
  });

  it('treats an unknown username exactly like a real one', async () => {
    const real = await statuses(a, 'omar', 7, '203.0.113.2');
    const unknown = await statuses(a, 'nobody-by-this-name', 7, '203.0.113.3');
    expect(unknown).toEqual(real);
  });

  it('holds across instances and restarts, and recovers when the lock runs out', async () => {
    await statuses(a, 'pia', 5, '203.0.113.4');
    const other = await anotherInstance();
    // The same address is locked there too.
    const locked = await attempt(other, 'pia', 'pia long password', '203.0.113.4');
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOCK_SECONDS);
    // A refused attempt is not counted: the right password, tried until the lock runs out, gets in.
    const recovered = await until(
      () => attempt(other, 'pia', 'pia long password', '203.0.113.4'),
      (response) => response.status !== 429,
      { timeoutMs: (retryAfter + 3) * 1000, everyMs: 250 },
    );
    expect(recovered.status).toBe(200);
  });

  it('locks a username attacked from many addresses, except for an address with no failures', async () => {
    for (let i = 0; i < 8; i++) await attempt(a, 'quinn', 'wrong password', `192.0.2.${10 + i}`);
    // An address that already failed is refused for the username...
    expect((await attempt(a, 'quinn', 'quinn long password', '192.0.2.10')).status).toBe(429);
    // ...while the owner's fresh address still gets in, and that success resets the counter.
    expect((await attempt(a, 'quinn', 'quinn long password', '198.51.100.8')).status).toBe(200);
    expect((await attempt(a, 'quinn', 'quinn long password', '192.0.2.11')).status).toBe(200);
  });

  it('records failures, the throttle and successes in the audit log', async () => {
    const admin = await signIn(a.url, ADMIN.username, ADMIN.password);
    const response = await fetch(`${a.url}/api/audit?limit=200`, {
      headers: { authorization: `Bearer ${admin.access_token}` },
    });
    const { events } = (await response.json()) as { events: { type: string; ip: string | null }[] };
    const types = new Set(events.map((event) => event.type));
    for (const type of ['sign_in.failure', 'sign_in.throttled', 'sign_in.success']) expect(types).toContain(type);
    expect(events.some((event) => event.ip === '203.0.113.1')).toBe(true);
    // Never a password in the log.
    expect(JSON.stringify(events)).not.toContain('long password');
  });

  it('records refresh-token reuse in the audit log', async () => {
    const tokens = await signIn(a.url, 'rosa', 'rosa long password');
    const second = (await (await refresh(a.url, tokens.refresh_token)).json()) as { refresh_token: string };
    await refresh(a.url, second.refresh_token);
    // tokens.refresh_token is now two generations old: a replay, even inside the grace window.
    expect((await refresh(a.url, tokens.refresh_token)).status).toBe(401);
    const admin = await signIn(a.url, ADMIN.username, ADMIN.password);
    const sid = decodeClaims(tokens.access_token).sid as string;
    const response = await fetch(`${a.url}/api/audit?type=refresh.reuse_detected`, {
      headers: { authorization: `Bearer ${admin.access_token}` },
    });
    const { events } = (await response.json()) as { events: { sessionId: string }[] };
    expect(events.map((event) => event.sessionId)).toContain(sid);
  });
});

describe('the refresh endpoint limit', () => {
  it('answers 429 with Retry-After past the per-address limit, and only for that address', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 45; i++) {
      seen.push(
        (await post(`${a.url}/api/auth/refresh`, { refresh_token: 'x' }, { 'x-forwarded-for': '203.0.113.50' })).status,
      );
    }
    expect(seen.slice(0, 40).every((status) => status === 401)).toBe(true);
    expect(seen.slice(40)).toEqual(Array(5).fill(429));
    const other = await post(
      `${a.url}/api/auth/refresh`,
      { refresh_token: 'x' },
      { 'x-forwarded-for': '203.0.113.51' },
    );
    expect(other.status).toBe(401);
  });
});
