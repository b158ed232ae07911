// Two replicas behind a real TLS-terminating nginx, on a PostgreSQL server of the test's own, as
// docs/operations.md sets them up (TRUST_PROXY=true): a session signed in through the proxy
// refreshes on the other replica, a revocation on one is refused on the other within 2 s, the
// cookie is Secure and HSTS is sent, the audit log has the real client's address rather than the
// proxy's, and a 10-second PostgreSQL outage is answered with 503 and Retry-After and heals by
// itself with no session lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { startOwnPostgres, startTlsProxy, type OwnPostgres, type TlsProxy } from '../helpers/tls-proxy';

/** The client's address: another loopback address than the one nginx speaks to the replicas from. */
const CLIENT = '127.0.0.7';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'content-type': 'application/json' };

let database: OwnPostgres | undefined;
const replicas: TestServer[] = [];
let proxy: TlsProxy | undefined;

type Tokens = { access_token: string; refresh_token: string };

function replicaOf(response: { headers: Record<string, unknown> }): string {
  return String(response.headers['x-upstream']);
}

async function signIn(): Promise<{ tokens: Tokens; replica: string; setCookie: string; hsts: string }> {
  const response = await proxy!.request('POST', '/api/auth/token', {
    body: `username=${ADMIN.username}&password=${encodeURIComponent(ADMIN.password)}`,
    headers: FORM,
  });
  expect(response.status, response.body).toBe(200);
  return {
    tokens: JSON.parse(response.body) as Tokens,
    replica: replicaOf(response),
    setCookie: String(response.headers['set-cookie']),
    hsts: String(response.headers['strict-transport-security']),
  };
}

function refresh(token: string) {
  return proxy!.request('POST', '/api/auth/refresh', {
    body: JSON.stringify({ refresh_token: token }),
    headers: JSON_BODY,
  });
}

function me(access: string) {
  return proxy!.request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${access}` } });
}

describe.runIf(TEST_PROVIDER === 'postgresql')('two replicas behind nginx over TLS', () => {
  beforeAll(async () => {
    database = await startOwnPostgres();
    const first = await startServer({ label: 'replica-a', databaseUrl: database.url, env: { TRUST_PROXY: 'true' } });
    replicas.push(first);
    replicas.push(
      await startServer({
        label: 'replica-b',
        databaseUrl: database.url,
        secret: first.secret,
        env: { TRUST_PROXY: 'true' },
      }),
    );
    proxy = await startTlsProxy(
      replicas.map((replica) => replica.url),
      CLIENT,
    );
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    for (const replica of replicas) await replica.stop();
    database?.close();
  });

  it('signs in through the proxy with a Secure cookie and HSTS', async () => {
    const { setCookie, hsts } = await signIn();
    expect(setCookie).toMatch(/; Secure/);
    expect(hsts).toBe('max-age=63072000; includeSubDomains');
  });

  it('refreshes on the other replica than the one that signed in', async () => {
    const { tokens, replica } = await signIn();
    let token = tokens.refresh_token;
    const answeredBy = new Set<string>([replica]);
    for (let i = 0; i < 4; i++) {
      const response = await refresh(token);
      expect(response.status, response.body).toBe(200);
      answeredBy.add(replicaOf(response));
      token = (JSON.parse(response.body) as Tokens).refresh_token;
    }
    // Round-robin: both replicas served this one chain.
    expect(answeredBy.size).toBe(2);
  });

  it('refuses on the other replica within 2 s a session ended on one', async () => {
    const { tokens } = await signIn();
    const before = await me(tokens.access_token);
    expect(before.status).toBe(200);
    const logout = await proxy!.request('POST', '/api/auth/logout', {
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      headers: { ...JSON_BODY, authorization: `Bearer ${tokens.access_token}` },
    });
    expect(logout.status).toBe(204);
    const endedOn = replicaOf(logout);
    const deadline = Date.now() + 2000;
    let refusedOnTheOther = false;
    while (!refusedOnTheOther && Date.now() < deadline) {
      const response = await me(tokens.access_token);
      if (replicaOf(response) !== endedOn) refusedOnTheOther = response.status === 401;
    }
    expect(refusedOnTheOther).toBe(true);
  });

  it("records the real client's address in the audit log, not the proxy's", async () => {
    await signIn();
    const db = await replicas[0]!.db();
    const latest = await db.auditEvent.findFirst({ where: { type: 'sign_in.success' }, orderBy: { id: 'desc' } });
    expect(latest?.ip).toBe(CLIENT);
  });

  it('answers 503 with Retry-After while PostgreSQL is down for 10 s, and heals by itself with no session lost', async () => {
    const { tokens } = await signIn();
    let held = tokens.refresh_token;
    database!.stop();
    const outageEnds = Date.now() + 10_000;
    const statuses = new Map<number, number>();
    let retryAfter: unknown;
    let healthDown = false;
    while (Date.now() < outageEnds) {
      const response = await refresh(held);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 503) retryAfter = response.headers['retry-after'];
      // A refresh refused with 503 consumed nothing: the held token stays the one to present.
      if (response.status === 200) held = (JSON.parse(response.body) as Tokens).refresh_token;
      const health = await proxy!.request('GET', '/api/health');
      if (health.status === 503) healthDown = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    database!.start();
    expect([...statuses.keys()].filter((status) => status !== 503 && status !== 200)).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(healthDown).toBe(true);

    // Recovered by itself: no restart of either replica.
    const recovered = Date.now() + 15_000;
    let healthy = 0;
    while (healthy < 2 && Date.now() < recovered) {
      healthy = (await proxy!.request('GET', '/api/health')).status === 200 ? healthy + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(healthy).toBe(2);
    for (let i = 0; i < 2; i++) {
      const response = await refresh(held);
      expect(response.status, response.body).toBe(200);
      held = (JSON.parse(response.body) as Tokens).refresh_token;
    }
  }, 60_000);
});
