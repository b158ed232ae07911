// Concurrent refreshes of one token: the grace window makes them converge on one chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'races', env: { REFRESH_REUSE_GRACE_SECONDS: '10' } });
});
afterAll(() => server.stop());

describe('refresh races inside the grace window', () => {
  it('10 parallel refreshes of one token all succeed, converge on one successor and leave one live session', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(server.url, tokens.refresh_token)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as TokenBody[];
    // One successor: every answer is generation 1, and the session row moved exactly once.
    expect(bodies.map((b) => decodeClaims(b.refresh_token).gen)).toEqual(Array(10).fill(1));

    const db = await server.db();
    const sid = decodeClaims(tokens.access_token).sid as string;
    expect(await db.session.findUniqueOrThrow({ where: { id: sid } })).toMatchObject({
      generation: 1,
      revokedAt: null,
    });
    // A benign race: nothing was taken for theft.
    expect(await db.auditEvent.count({ where: { sessionId: sid, type: 'refresh.reuse_detected' } })).toBe(0);

    // The chain continues from any of the (identical) successors.
    const next = await refresh(server.url, bodies[3]!.refresh_token);
    expect(next.status).toBe(200);
  });

  it('treats a token older than the immediate predecessor as theft even inside the grace window', async () => {
    const t0 = await signIn(server.url, ADMIN.username, ADMIN.password);
    const t1 = (await (await refresh(server.url, t0.refresh_token)).json()) as TokenBody;
    const t2 = (await (await refresh(server.url, t1.refresh_token)).json()) as TokenBody;
    const replay = await refresh(server.url, t0.refresh_token);
    expect(replay.status).toBe(401);
    expect((await problem(replay)).code).toBe('token_reused');
    expect((await problem(await refresh(server.url, t2.refresh_token))).code).toBe('token_reused');
  });
});
