/**
 * The one test-instance helper: a real production server (`scripts/run-app.mjs start`, the same
 * command as `npm start` and the Dockerfile) on a free port and a throwaway SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openDatabase, type Database } from '@/lib/db';
import { createPasswords } from '@/lib/users/passwords';
import type { UserDeps } from '@/lib/users/users';
import { throwawayDatabaseUrl } from './databases';
import { ROOT } from './paths';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

/** The tests' own hasher, for accounts they arrange in a server's database. */
const passwords = createPasswords();

export type TestServer = {
  url: string;
  dbUrl: string;
  dataDir: string;
  secret: string;
  env: Record<string, string>;
  /** A Prisma client on the server's database, for arranging and inspecting state. */
  db: () => Promise<Database['client']>;
  /** The app's store on the same database, for arranging state through the app's own modules. */
  store: () => Promise<Database['store']>;
  /** What lib/users needs to create accounts in the server's database (with a hasher of the test's own). */
  users: () => Promise<UserDeps>;
  output: () => string;
  /** PID of the Next.js server process itself (the start script's child). */
  serverPid: () => number;
  restart: () => Promise<void>;
  /** SIGKILL to the whole process group: a crash, with no chance to finish anything. */
  crash: () => Promise<void>;
  /** Starts again on the same database and data directory (after crash). */
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops the process group `child` leads (it was spawned detached): `signal`, SIGKILL after 5 s,
 * and once it exited SIGKILL again for anything of the group that outlived it. Nothing else.
 */
export async function stopProcessGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`server did not become healthy in time:\n${output()}`);
}

export async function startServer(
  options: {
    env?: Record<string, string>;
    label?: string;
    databaseUrl?: string;
    secret?: string;
    /** The built checkout to run (another release, for the upgrade test); this one by default. */
    root?: string;
    /** The data directory (the development secret, a SQLite file); a fresh one by default. */
    dataDir?: string;
    /** The port to listen on (known ahead, for APP_ORIGIN); a free one by default, anew at each start. */
    port?: number;
  } = {},
): Promise<TestServer> {
  const { url: freshUrl, dir: freshDir } = await throwawayDatabaseUrl(options.label ?? 'server');
  const dir = options.dataDir ?? freshDir;
  const root = options.root ?? ROOT;
  const secret = options.secret ?? randomBytes(48).toString('base64url');
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl ?? freshUrl,
    DATA_DIR: dir,
    AUTH_SECRET: secret,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    // Every test client speaks from 127.0.0.1: the per-address refresh limit is for the tests
    // that test it (tests/api/throttling.test.ts), not for those that rotate in bulk.
    REFRESH_RATE_LIMIT_PER_MINUTE: '1000000',
    ...options.env,
  };
  let child: ChildProcess;
  let log = '';
  let url = '';
  let db: Database | undefined;

  async function launch(): Promise<void> {
    const port = options.port ?? (await freePort());
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(root, 'scripts/run-app.mjs'), 'start', '-H', '127.0.0.1'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it reaches the Next.js child too, and nothing else.
      detached: true,
    });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitUntilHealthy(url, child, () => log);
  }

  const stop = (signal: NodeJS.Signals = 'SIGTERM') => stopProcessGroup(child, signal);

  /**
   * The start script migrates first, and Prisma migrates a SQLite file only with exclusive access:
   * the test's own connection is closed before a (re)start and reopened on next use.
   */
  async function releaseDb(): Promise<void> {
    await db?.store.close();
    db = undefined;
  }

  function serverPid(): number {
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
    const pid = Number(children[0]);
    if (!pid) throw new Error('the server process is not running');
    return pid;
  }

  await launch();
  return {
    get url() {
      return url;
    },
    dbUrl: env.DATABASE_URL!,
    dataDir: dir,
    secret,
    env,
    db: async () => {
      db ??= openDatabase(env.DATABASE_URL!);
      return db.client;
    },
    store: async () => {
      db ??= openDatabase(env.DATABASE_URL!);
      return db.store;
    },
    users: async () => {
      db ??= openDatabase(env.DATABASE_URL!);
      return { store: db.store, passwords };
    },
    output: () => log,
    serverPid,
    crash: () => stop('SIGKILL'),
    start: async () => {
      await releaseDb();
      await launch();
    },
    restart: async () => {
      await stop();
      await releaseDb();
      await launch();
    },
    stop: async () => {
      await db?.store.close();
      await stop();
    },
  };
}
