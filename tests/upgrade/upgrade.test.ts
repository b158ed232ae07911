// An upgrade signs nobody out and forgets no theft. Sessions signed in on a build of the previous
// release (one row per refresh token) are served by this one (one row per session) on the same
// database: every session refreshes with the token it holds, a session mid-grace at the upgrade
// stays in its window, tokens used before the upgrade are still replays, key-bound sessions are
// still bound, and access tokens of before keep working (docs/design.md, "Upgrading from one row
// per refresh token").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDpopKey, dpopProof, type DpopKey } from '../helpers/dpop';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, type TokenBody } from '../helpers/http';
import { previousReleaseBuild } from '../helpers/previous-release';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { untilTime } from '../helpers/wait';

const SESSIONS = 20;
/** Long enough for the checks right after the start, short enough to wait out once. */
const GRACE_SECONDS = 8;

type Kind = 'fresh' | 'rotated' | 'mid-grace';
type Session = {
  index: number;
  kind: Kind;
  key: DpopKey | null;
  nonce: string | null;
  /** What the client holds at the upgrade. */
  held: TokenBody;
  /** Tokens this session used up before the upgrade, oldest first. */
  used: string[];
};

let old: TestServer | undefined;
let next: TestServer | undefined;
const sessions: Session[] = [];
let startedAt = 0;

/** One refresh as a client sends it, with a proof of the session's key when it has one. */
async function refreshOn(server: TestServer, session: Session, token: string, proof = true): Promise<Response> {
  const url = `${server.url}/api/auth/refresh`;
  const headers: Record<string, string> =
    session.key && proof ? { dpop: await dpopProof(session.key, url, { nonce: session.nonce }) } : {};
  const response = await post(url, { refresh_token: token }, headers);
  session.nonce = response.headers.get('dpop-nonce') ?? session.nonce;
  return response;
}

async function rotate(server: TestServer, session: Session, token: string): Promise<TokenBody> {
  const response = await refreshOn(server, session, token);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as TokenBody;
}

beforeAll(async () => {
  const previous = previousReleaseBuild();
  const env = { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) };
  old = await startServer({ label: 'upgrade', root: previous, env });

  for (let index = 0; index < SESSIONS; index++) {
    const kind: Kind = (['fresh', 'rotated', 'mid-grace'] as const)[index % 3]!;
    const key = index % 2 === 0 ? await newDpopKey() : null;
    const tokenUrl = `${old.url}/api/auth/token`;
    const response = await post(tokenUrl, ADMIN, key ? { dpop: await dpopProof(key, tokenUrl) } : {});
    expect(response.status).toBe(200);
    const session: Session = {
      index,
      kind,
      key,
      nonce: response.headers.get('dpop-nonce'),
      held: (await response.json()) as TokenBody,
      used: [],
    };
    sessions.push(session);
  }
  // "rotated" sessions rotate twice, long enough before the upgrade that the window has passed.
  for (const session of sessions.filter((s) => s.kind === 'rotated')) {
    for (let i = 0; i < 2; i++) {
      session.used.push(session.held.refresh_token);
      session.held = await rotate(old, session, session.held.refresh_token);
    }
  }
  await untilTime(Date.now() + (GRACE_SECONDS + 1) * 1000);
  // "mid-grace" sessions rotate right before the stop: their client may still present either.
  for (const session of sessions.filter((s) => s.kind === 'mid-grace')) {
    session.used.push(session.held.refresh_token);
    session.held = await rotate(old, session, session.held.refresh_token);
  }
  await old.stop();

  next = await startServer({
    label: 'upgrade-next',
    databaseUrl: old.dbUrl,
    dataDir: old.dataDir,
    secret: old.secret,
    env,
  });
  startedAt = Date.now();
}, 600_000);

afterAll(async () => {
  await next?.stop();
  await old?.stop();
});

describe('an upgrade from one row per refresh token', () => {
  it('really started from the previous release: its tokens carry no generation', () => {
    expect(sessions.every((s) => decodeClaims(s.held.refresh_token).gen === undefined)).toBe(true);
    expect(sessions.filter((s) => s.key).length).toBe(SESSIONS / 2);
  });

  it('keeps a session mid-grace at the upgrade in its window: the token it replaced still gets the current one (rules 2 and 6)', async () => {
    for (const session of sessions.filter((s) => s.kind === 'mid-grace')) {
      const replaced = session.used.at(-1)!;
      const response = await refreshOn(next!, session, replaced);
      expect(response.status, `session ${session.index}`).toBe(200);
      // The current generation re-signed: the same chain the held token continues.
      expect(decodeClaims(((await response.json()) as TokenBody).refresh_token).gen).toBe(0);
    }
    // All of that happened inside the window counted from the start.
    expect(Date.now() - startedAt).toBeLessThan(GRACE_SECONDS * 1000);
  });

  it('accepts every access token issued before the upgrade for its remaining lifetime', async () => {
    for (const session of sessions) {
      const response = await me(next!.url, session.held.access_token);
      expect(response.status, `session ${session.index}`).toBe(200);
    }
  });

  it('refreshes every session with the token its client holds, and the chain goes on (rule 1)', async () => {
    for (const session of sessions) {
      const first = await rotate(next!, session, session.held.refresh_token);
      expect(decodeClaims(first.refresh_token).gen).toBe(1);
      session.used.push(session.held.refresh_token);
      session.held = await rotate(next!, session, first.refresh_token);
      session.used.push(first.refresh_token);
      expect(decodeClaims(session.held.refresh_token).gen).toBe(2);
    }
  });

  it('still binds key-bound sessions to their key: without a proof nothing is consumed (rule 7)', async () => {
    for (const session of sessions.filter((s) => s.key)) {
      const refused = await refreshOn(next!, session, session.held.refresh_token, false);
      expect(refused.status).toBe(401);
      expect((await problem(refused)).code).toBe('invalid_dpop_proof');
    }
  });

  it('ends a session whose token used before the upgrade is replayed, once the window is over (rule 3)', async () => {
    await untilTime(startedAt + (GRACE_SECONDS + 1) * 1000);
    const replayed = sessions.filter((s) => s.index % 4 < 2);
    for (const session of replayed) {
      // The oldest token: for "fresh" and "mid-grace" sessions the one they signed in with.
      const response = await refreshOn(next!, session, session.used[0]!);
      expect(response.status, `session ${session.index}`).toBe(401);
      expect((await problem(response)).code).toBe('token_reused');
      // Thief and owner are both out: the owner's current token dies with the session.
      const owner = await refreshOn(next!, session, session.held.refresh_token);
      expect((await problem(owner)).code).toBe('token_reused');
    }
    // The others live on.
    for (const session of sessions.filter((s) => !replayed.includes(s))) {
      session.held = await rotate(next!, session, session.held.refresh_token);
      expect(decodeClaims(session.held.refresh_token).gen).toBe(3);
    }
  });

  it('leaves no row per refresh token behind', async () => {
    const db = await next!.db();
    const tables = await db.$queryRawUnsafe<{ name: string }[]>(
      next!.dbUrl.startsWith('file:')
        ? `SELECT name FROM sqlite_master WHERE type = 'table'`
        : `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    expect(tables.map((table) => table.name)).not.toContain('RefreshToken');
    expect(tables.map((table) => table.name)).toContain('Session');
  });
});
