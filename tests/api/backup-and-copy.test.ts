// Backups that restore and a move from SQLite to PostgreSQL (docs/operations.md, "Backup and
// restore" and "From SQLite to PostgreSQL"), run as a self-hoster runs them: the npm scripts
// against a real server's database. A backup taken under rotation load restores whole: every
// session refreshes from the generation the backup holds, and a token used before the backup is
// still a replay. A copied database serves every user and every live session.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { post, refresh, signIn, type TokenBody } from '../helpers/http';
import { POSTGRES_ADMIN_URL, TEST_PROVIDER, throwawayDatabaseUrl, withAdminClient } from '../helpers/databases';
import { ROOT, tempDir } from '../helpers/paths';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

const run = promisify(execFile);
const CHAINS = 12;
const LOAD_MS = 3000;

type Chain = { index: number; tokens: string[] };

/** One of the npm scripts, on the database `databaseUrl` names; its output, or the failure's. */
async function npmScript(
  script: string,
  args: string[],
  databaseUrl: string,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '-s', script, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The token of `chain` of generation `generation`, if the chain ever held one. */
function tokenOf(chain: Chain, generation: number): string | undefined {
  return chain.tokens.find((token) => decodeClaims(token).gen === generation);
}

async function generations(server: TestServer): Promise<Map<string, number>> {
  const rows = await (await server.db()).session.findMany({ select: { id: true, generation: true } });
  return new Map(rows.map((row) => [row.id, row.generation]));
}

let source: TestServer | undefined;
let restored: TestServer | undefined;
let copied: TestServer | undefined;
const chains: Chain[] = [];
let backupFile = '';
let postgresCopy: string | null = null;

beforeAll(async () => {
  source = await startServer({ label: 'backup-source' });
  for (let index = 0; index < CHAINS; index++) {
    const pair = await signIn(source.url, ADMIN.username, ADMIN.password);
    chains.push({ index, tokens: [pair.refresh_token] });
  }
  backupFile = path.join(tempDir('backup'), TEST_PROVIDER === 'sqlite' ? 'app.db' : 'app.dump');

  // Every chain rotates as fast as it can while the backup is taken in the middle of it.
  const until = Date.now() + LOAD_MS;
  const load = chains.map(async (chain) => {
    while (Date.now() < until) {
      const response = await refresh(source!.url, chain.tokens.at(-1)!);
      expect(response.status).toBe(200);
      chain.tokens.push(((await response.json()) as TokenBody).refresh_token);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 3));
  const backup = await npmScript('db:backup', ['--to', backupFile], source.dbUrl);
  await Promise.all(load);
  expect(backup.ok, backup.output).toBe(true);
  expect(backup.output).toContain('backed up');
  await source.stop();
}, 120_000);

afterAll(async () => {
  await copied?.stop();
  await restored?.stop();
  await source?.stop();
  if (postgresCopy) {
    const name = new URL(postgresCopy).pathname.slice(1);
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
});

describe(`a backup taken under rotation load (${TEST_PROVIDER})`, () => {
  it('was taken while the chains kept rotating', () => {
    expect(existsSync(backupFile)).toBe(true);
    expect(chains.every((chain) => chain.tokens.length > 3)).toBe(true);
  });

  it('restores into a fresh data directory, and not over a database without --force', async () => {
    const target = await throwawayDatabaseUrl('restored');
    const restore = await npmScript('db:restore', ['--from', backupFile], target.url);
    expect(restore.ok, restore.output).toBe(true);
    restored = await startServer({
      label: 'restored',
      databaseUrl: target.url,
      dataDir: target.dir,
      secret: source!.secret,
    });
    if (TEST_PROVIDER === 'sqlite') {
      const again = await npmScript('db:restore', ['--from', backupFile], target.url);
      expect(again.ok).toBe(false);
      expect(again.output).toMatch(/exists; stop the server and add --force/);
    }
  }, 60_000);

  it('holds one whole generation of every chain: a token the chain really held, none half-written', async () => {
    const held = await generations(restored!);
    expect(held.size).toBe(CHAINS);
    for (const chain of chains) {
      const sid = decodeClaims(chain.tokens[0]!).sid as string;
      const generation = held.get(sid);
      expect(generation, `chain ${chain.index}`).toBeDefined();
      expect(tokenOf(chain, generation!), `chain ${chain.index} at ${generation}`).toBeDefined();
    }
  });

  it('refreshes every session from the generation the backup holds', async () => {
    const held = await generations(restored!);
    for (const chain of chains) {
      const generation = held.get(decodeClaims(chain.tokens[0]!).sid as string)!;
      const response = await refresh(restored!.url, tokenOf(chain, generation)!);
      expect(response.status, `chain ${chain.index}`).toBe(200);
      chain.tokens.push(((await response.json()) as TokenBody).refresh_token);
    }
  });

  it('still ends a session whose token used before the backup is replayed (rule 3)', async () => {
    const held = await generations(restored!);
    const chain = chains.find((candidate) => held.get(decodeClaims(candidate.tokens[0]!).sid as string)! >= 3)!;
    const sid = decodeClaims(chain.tokens[0]!).sid as string;
    // Three generations behind the one the backup holds: used long before the backup was taken.
    const replay = await refresh(restored!.url, tokenOf(chain, held.get(sid)! - 3)!);
    expect(replay.status).toBe(401);
    const session = await (await restored!.db()).session.findUnique({ where: { id: sid } });
    expect(session?.revokedReason).toBe('token_reused');
    expect((await refresh(restored!.url, chain.tokens.at(-1)!)).status).toBe(401);
  });
});

describe.runIf(TEST_PROVIDER === 'sqlite')('a move from SQLite to PostgreSQL (npm run db:copy)', () => {
  it('copies every table into an empty PostgreSQL database, and reports what it copied', async () => {
    const name = `ssi_copy_${randomBytes(4).toString('hex')}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    postgresCopy = url.toString();
    await restored!.stop();

    const copy = await npmScript('db:copy', ['--to', postgresCopy], restored!.dbUrl);
    expect(copy.ok, copy.output).toBe(true);
    expect(copy.output).toMatch(new RegExp(`copied into PostgreSQL: User 1, Session ${CHAINS},`));
  }, 60_000);

  it('refuses a target that already holds rows, and copies nothing', async () => {
    const again = await npmScript('db:copy', ['--to', postgresCopy!], restored!.dbUrl);
    expect(again.ok).toBe(false);
    expect(again.output).toMatch(/the target database is not empty \(User 1, Session \d+/);
  }, 60_000);

  it('serves every user and every live session once DATABASE_URL names PostgreSQL', async () => {
    copied = await startServer({ label: 'copied', databaseUrl: postgresCopy!, secret: restored!.secret });
    const signedIn = await post(`${copied.url}/api/auth/token`, ADMIN);
    expect(signedIn.status).toBe(200);
    let live = 0;
    for (const chain of chains) {
      const response = await refresh(copied.url, chain.tokens.at(-1)!);
      if (response.status === 200) live++;
    }
    // Every chain but the one the replay test ended.
    expect(live).toBe(CHAINS - 1);
    // New rows got ids after the copied ones: the sign-in above wrote its audit event.
    const audit = await (await copied.db()).auditEvent.findMany({ where: { type: 'sign_in.success' } });
    expect(audit.length).toBeGreaterThan(CHAINS);
  }, 60_000);
});
