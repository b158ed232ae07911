// kill -9 while 50 sessions rotate: rotations committed just before the crash never got their
// response to the client, which still holds the used token. A restart slower than the grace
// window must not turn those clients into "thieves" (rule 6 of docs/design.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db';
import { decodeClaims } from '../helpers/forge';
import { refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { until, untilTime } from '../helpers/wait';

const SESSIONS = 50;
const sidOf = (token: string) => decodeClaims(token).sid as string;
const genOf = (token: string) => decodeClaims(token).gen as number;
// Long enough for 50 concurrent refreshes on a busy 2-core machine (PostgreSQL included).
const GRACE_SECONDS = 4;
/** Times the crash is staged until it catches a rotation in flight. */
const MAX_ATTEMPTS = 5;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'crash', env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
});
afterAll(() => server.stop());

/** A client that refreshes in a loop and keeps the newest token it actually received. */
function rotatingClient(initial: TokenBody) {
  let token = initial.refresh_token;
  let rotations = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const response = await refresh(server.url, token);
        if (response.status !== 200) throw new Error(`refresh answered ${response.status}: ${await response.text()}`);
        token = ((await response.json()) as TokenBody).refresh_token;
        rotations += 1;
      } catch (error) {
        // The server died under us: keep the token we hold, as a real client would.
        if (!stopped && !(error instanceof TypeError)) throw error;
        return;
      }
    }
  })();
  return {
    token: () => token,
    rotations: () => rotations,
    stop: async () => {
      stopped = true;
      await done;
    },
    done,
  };
}

describe('a crash in the middle of rotations', () => {
  it('lets every client refresh with the token it kept after a restart slower than the grace window (rule 6)', async () => {
    // Whether a crash catches a rotation committed but not yet answered is a matter of timing, and
    // with a one-statement rotation that moment is short: the scenario is set up again (after a
    // restart) until it happened, up to a few times. What is checked after it is not retried.
    let clients: ReturnType<typeof rotatingClient>[] = [];
    let crashedAt = 0;
    let lost = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && lost === 0; attempt++) {
      if (attempt > 1) await server.start();
      const sessions: TokenBody[] = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await signIn(server.url, ADMIN.username, ADMIN.password));
      clients = sessions.map(rotatingClient);
      // Let every client rotate a few times, then pull the plug mid-flight.
      const total = () => clients.reduce((sum, client) => sum + client.rotations(), 0);
      await until(total, (rotations) => rotations >= SESSIONS * 3, { timeoutMs: 20_000 });
      await server.crash();
      crashedAt = Date.now();
      await Promise.all(clients.map((client) => client.stop()));
      expect(clients.reduce((sum, client) => sum + client.rotations(), 0)).toBeGreaterThan(SESSIONS);

      // Some clients hold a token whose rotation committed but whose answer never arrived.
      // (A connection of its own, closed before the restart: the start script migrates first.)
      const probe = openDatabase(server.dbUrl);
      const rows = await probe.client.session.findMany({
        where: { id: { in: clients.map((c) => sidOf(c.token())) } },
        select: { id: true, generation: true },
      });
      await probe.store.close();
      // A client whose token is a generation behind its session lost the answer of a rotation.
      const generation = new Map(rows.map((row) => [row.id, row.generation]));
      lost = clients.filter((c) => genOf(c.token()) < generation.get(sidOf(c.token()))!).length;
    }
    // The scenario really happened.
    expect(lost).toBeGreaterThan(0);

    // The restart is slower than the grace window: a rotation just before the crash is past it.
    await untilTime(crashedAt + (GRACE_SECONDS + 1) * 1000);
    await server.start();

    const results = await Promise.all(clients.map((client) => refresh(server.url, client.token())));
    const statuses = results.map((response) => response.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    // Every client is on its session's current generation again, and no session was revoked.
    const db = await server.db();
    const bodies = (await Promise.all(results.map((response) => response.json()))) as TokenBody[];
    for (const body of bodies) {
      const session = await db.session.findUniqueOrThrow({ where: { id: sidOf(body.refresh_token) } });
      expect(session.revokedAt).toBeNull();
      expect(genOf(body.refresh_token)).toBe(session.generation);
    }
  }, 300_000);
});
