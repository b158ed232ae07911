// Two production servers on one PostgreSQL database behave as one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { until, untilTime } from '../helpers/wait';

// Long enough for 50 concurrent refreshes on a busy 2-core machine; the replay waits it out.
const GRACE_SECONDS = 3;
let a: TestServer;
let b: TestServer;

describe.skipIf(TEST_PROVIDER !== 'postgresql')('two instances on one PostgreSQL database', () => {
  beforeAll(async () => {
    const env = { ENABLE_BENCH_ROUTES: 'true', REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) };
    a = await startServer({ label: 'instance-a', env });
    b = await startServer({ label: 'instance-b', env, databaseUrl: a.dbUrl, secret: a.secret });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('signs in on A, refreshes on B; a replay on A after the grace window ends the session on both', async () => {
    const first = await signIn(a.url, ADMIN.username, ADMIN.password);
    const onB = await refresh(b.url, first.refresh_token);
    const rotatedBy = Date.now();
    expect(onB.status).toBe(200);
    const second = (await onB.json()) as TokenBody;

    // Until the grace window of that rotation (committed before its answer came) is over.
    await untilTime(rotatedBy + GRACE_SECONDS * 1000 + 1);
    const replay = await refresh(a.url, first.refresh_token);
    expect(replay.status).toBe(401);
    expect((await problem(replay)).code).toBe('token_reused');
    for (const server of [a, b]) {
      const dead = await refresh(server.url, second.refresh_token);
      expect(dead.status).toBe(401);
      expect((await problem(dead)).code).toBe('token_reused');
    }
  });

  it('50 concurrent refreshes of one token split across A and B converge on one successor, without a 5xx', async () => {
    const tokens = await signIn(a.url, ADMIN.username, ADMIN.password);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refresh((i % 2 === 0 ? a : b).url, tokens.refresh_token)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as TokenBody[];
    expect(bodies.map((body) => decodeClaims(body.refresh_token).gen)).toEqual(Array(50).fill(1));
    const sid = decodeClaims(tokens.access_token).sid as string;
    const db = await a.db();
    expect(await db.session.findUniqueOrThrow({ where: { id: sid } })).toMatchObject({
      generation: 1,
      revokedAt: null,
    });
  });

  it("stops a session's access token on B within 2 s of its sign-out on A (rule 8)", async () => {
    const tokens = await signIn(a.url, ADMIN.username, ADMIN.password);
    const onB = () =>
      fetch(`${b.url}/api/bench/protected`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await onB()).status).toBe(200);
    const signedOutAt = performance.now();
    expect((await post(`${a.url}/api/auth/logout`, { refresh_token: tokens.refresh_token })).status).toBe(204);
    const status = (await until(onB, (response) => response.status !== 200, { timeoutMs: 3000 })).status;
    const elapsed = performance.now() - signedOutAt;
    expect(status).toBe(401);
    expect(elapsed).toBeLessThan(2000);
  });
});
