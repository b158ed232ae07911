/**
 * npm run bench: honest numbers, not a test. Starts the production server (the same start script
 * as npm start) with ENABLE_BENCH_ROUTES on a throwaway SQLite file and, when DATABASE_URL names a
 * PostgreSQL server, again on a throwaway database there. Then, in interleaved rounds so that a
 * slow moment of the machine does not land on one route only:
 *
 *   outside      GET /bench/outside          a trivial route outside the middleware's matcher
 *   middleware   GET /api/bench/open         the same route through the middleware, no token check
 *   protected    GET /api/bench/protected    the same route behind the Bearer access-token check
 *   (dpop)       the same with a DPoP-bound access token and a proof per request
 *   write        POST /api/bench/write       one plain write transaction: the floor for a write
 *   rotation     POST /api/auth/refresh      every request consumes a refresh token, writes its successor
 *   (dpop)       the same for DPoP-bound sessions: a proof with a nonce per refresh, its id recorded
 *   sign-in      POST /api/auth/token        argon2id password check and a new session
 *   bare-empty   GET /api/ping               a bare Next.js app (bench/baseline): an empty middleware
 *   bare-write   POST /api/write             the same bare app: one write transaction, nothing else
 *
 * The targets are read against the bare app (the app's own rows pay the app's overhead on both
 * sides of a ratio): the protected route against the empty middleware, rotation against the bare
 * write, on the same database. Then the storage a rotation and a session take, and rotation again
 * with a million live sessions in the database.
 *
 * and at fixed offered loads (latency, not saturation): rotation at 250 req/s, and the protected
 * route at 100 req/s idle and during a burst of sign-ins. Finally the gzipped size of the browser's
 * auth client. Options: BENCH_SECONDS (per measurement, default 5), BENCH_ROUNDS (default 3),
 * BENCH_PROFILE=dir (a V8 CPU profile of each server, see docs/performance.md).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import pg from 'pg';
import { ADMIN, freePort, startServer, type TestServer } from '../tests/helpers/server';
import { dpopProof, newDpopKey, type DpopKey } from '../tests/helpers/dpop';
import { post, signIn, type TokenBody } from '../tests/helpers/http';
import { ROOT } from '../tests/helpers/paths';
import { sqliteFilePath } from '../lib/db/location';

const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** More than a measurement can use at the fastest rate seen here. */
const PROOFS_PER_RUN = 2000 * SECONDS;

/** `cpu`: the server process's CPU time per request, in ms: steadier than req/s on a shared VM. */
type Sample = { rps: number; p50: number; p99: number; bad: number; cpu: number; total: number };
type Options = Omit<autocannon.Options, 'url'> & { url: string };

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time of a process so far, in ms (Linux /proc). */
function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

let serverPid = 0;

async function run(options: Options, seconds = SECONDS, pid = serverPid): Promise<Sample> {
  const cpuBefore = cpuTimeMs(pid);
  const result = await autocannon({ connections: CONNECTIONS, ...options, duration: seconds });
  const requests = Math.max(1, result.requests.total);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
    cpu: (cpuTimeMs(pid) - cpuBefore) / requests,
    total: result.requests.total,
  };
}

const BASELINE = path.join(ROOT, 'bench/baseline');
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');

/** The newest modification time under a directory, build output aside. */
function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.name !== '.next' && entry.name !== 'node_modules')
      .map((entry) =>
        entry.isDirectory() ? newestSource(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).mtimeMs,
      ),
  );
}

/** The bare Next.js app (bench/baseline), built when its sources changed, started on `databaseUrl`. */
async function startBaseline(databaseUrl: string): Promise<{ url: string; pid: number; stop: () => void }> {
  const built = path.join(BASELINE, '.next/BUILD_ID');
  if (!existsSync(built) || statSync(built).mtimeMs < newestSource(BASELINE)) {
    execFileSync(process.execPath, [NEXT_BIN, 'build', BASELINE], {
      stdio: 'inherit',
      // A self-hosted tool's bench should not phone home either (scripts/run-app.mjs).
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, 'start', BASELINE, '-p', String(port), '-H', '127.0.0.1'], {
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', BASELINE_DATABASE_URL: databaseUrl },
    stdio: 'ignore',
    // Its own process group: stopped by it, and nothing else.
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error('the bare Next.js app did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid!, stop: () => process.kill(-child.pid!, 'SIGTERM') };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Refresh-token chains: each response's refresh token is the next request's. A chain whose
 * response was cut off when a measurement ended is lost, so the pool is topped up before each one.
 * With a key, the sessions are DPoP-bound and every refresh carries a fresh proof (made ahead, as
 * autocannon builds requests synchronously, with a server nonce that stays valid for 15 minutes).
 */
function rotationLoad(server: TestServer, key: DpopKey | null): { options: Options; topUp: () => Promise<void> } {
  const pool: string[] = [];
  const proofs: string[] = [];
  const tokenUrl = `${server.url}/api/auth/token`;
  const refreshUrl = `${server.url}/api/auth/refresh`;
  let nonce: string | null = null;
  const signInOnce = async () => {
    if (!key) return (await signIn(server.url, ADMIN.username, ADMIN.password)).refresh_token;
    const response = await post(tokenUrl, ADMIN, { dpop: await dpopProof(key, tokenUrl) });
    nonce = response.headers.get('dpop-nonce');
    return ((await response.json()) as TokenBody).refresh_token;
  };
  const topUp = async () => {
    while (pool.length < CONNECTIONS * 2) pool.push(...(await Promise.all(Array.from({ length: 5 }, signInOnce))));
    if (key) while (proofs.length < PROOFS_PER_RUN) proofs.push(await dpopProof(key, refreshUrl, { nonce }));
  };
  const options = {
    url: server.url,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/refresh',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: autocannon.Request) => {
          const token = pool.shift();
          if (!token) return undefined;
          const headers = key ? { ...request.headers, dpop: proofs.shift() ?? '' } : request.headers;
          return { ...request, headers, body: JSON.stringify({ refresh_token: token }) };
        },
        onResponse: (status: number, body: string) => {
          if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
    ],
  } as Options;
  return { options, topUp };
}

/** How many live sessions the last rotation row is measured beside. */
const SEEDED_SESSIONS = Number(process.env.BENCH_SEEDED_SESSIONS ?? 1_000_000);

/**
 * The database's size as it lies on disk (SQLite: the file, once the write-ahead log is folded in;
 * PostgreSQL: the database), and a quick way to add live sessions to it.
 */
async function storageProbe(server: TestServer) {
  const db = await server.db();
  const sqlite = server.dbUrl.startsWith('file:');
  const file = sqlite ? sqliteFilePath(server.dbUrl) : '';
  return {
    kind: sqlite ? 'SQLite file after a checkpoint' : 'PostgreSQL database size',
    async bytes(): Promise<number> {
      if (sqlite) {
        await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
        return statSync(file).size;
      }
      const [row] = await db.$queryRawUnsafe<{ size: bigint }[]>('SELECT pg_database_size(current_database()) AS size');
      return Number(row!.size);
    },
    /** Adds `count` live sessions of the administrator, in one statement; returns how many. */
    async seedSessions(count: number): Promise<number> {
      const { id: userId } = await db.user.findFirstOrThrow({ where: { username: ADMIN.username } });
      const now = new Date();
      const end = new Date(now.getTime() + 30 * 86_400_000);
      if (sqlite) {
        const time = (date: Date) => date.toISOString().replace('Z', '+00:00');
        await db.$executeRawUnsafe(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
           INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "expiresAt", "refreshExpiresAt", "generation")
           SELECT 'seed-' || i, ?, ?, ?, ?, ?, 0 FROM n`,
          userId,
          time(now),
          time(now),
          time(end),
          time(end),
        );
      } else {
        await db.$executeRawUnsafe(
          `INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "expiresAt", "refreshExpiresAt", "generation")
           SELECT 'seed-' || i, $1, $2::timestamp(3), $2::timestamp(3), $3::timestamp(3), $3::timestamp(3), 0
           FROM generate_series(1, ${count}) AS i`,
          userId,
          now.toISOString(),
          end.toISOString(),
        );
        // A table loaded in one statement is not what a database that grew to a million sessions
        // looks like: autovacuum would visit all of it and the checkpointer write it out during the
        // measurement. Settle both first, as time would have.
        await db.$executeRawUnsafe('VACUUM (ANALYZE) "Session"');
        await db.$executeRawUnsafe('CHECKPOINT');
      }
      return count;
    },
  };
}

/** The protected route with a DPoP-bound access token: one proof per request, made ahead. */
async function boundProtectedLoad(
  server: TestServer,
  key: DpopKey,
): Promise<{ options: Options; topUp: () => Promise<void> }> {
  const tokenUrl = `${server.url}/api/auth/token`;
  const url = `${server.url}/api/bench/protected`;
  const response = await post(tokenUrl, ADMIN, { dpop: await dpopProof(key, tokenUrl) });
  const { access_token: token } = (await response.json()) as TokenBody;
  const proofs: string[] = [];
  const topUp = async () => {
    while (proofs.length < PROOFS_PER_RUN) proofs.push(await dpopProof(key, url, { htm: 'GET', accessToken: token }));
  };
  const options = {
    url,
    requests: [
      {
        method: 'GET',
        setupRequest: (request: autocannon.Request) => {
          const proof = proofs.shift();
          return proof
            ? { ...request, headers: { ...request.headers, authorization: `DPoP ${token}`, dpop: proof } }
            : undefined;
        },
      },
    ],
  } as Options;
  return { options, topUp };
}

const SCENARIOS = [
  'outside',
  'middleware',
  'protected',
  'protected-dpop',
  'write',
  'rotation',
  'rotation-dpop',
  'sign-in',
  'bare-empty',
  'bare-write',
] as const;
type Scenario = (typeof SCENARIOS)[number];

async function benchServer(label: string, databaseUrl?: string): Promise<string> {
  const profile = process.env.BENCH_PROFILE;
  const server = await startServer({
    label: `bench-${label}`,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: {
      ENABLE_BENCH_ROUTES: 'true',
      // Binds the access tokens of DPoP-bound sessions only: the other rows use unbound sessions.
      DPOP_ACCESS_TOKENS: 'true',
      // Sign-in is measured for speed here, not throttled: every request comes from 127.0.0.1.
      THROTTLE_ADDRESS_MAX_FAILURES: '9999',
      THROTTLE_USERNAME_MAX_FAILURES: '10000',
      ...(profile ? { CPU_PROFILE_DIR: path.resolve(profile, label) } : {}),
    },
  });
  serverPid = server.serverPid();
  const baseline = await startBaseline(databaseUrl ?? `file:${path.join(server.dataDir, 'baseline.db')}`);
  try {
    const { access_token } = await signIn(server.url, ADMIN.username, ADMIN.password);
    const bearer = { authorization: `Bearer ${access_token}` };
    const key = await newDpopKey();
    const { options: rotation, topUp } = rotationLoad(server, null);
    const { options: rotationDpop, topUp: topUpDpop } = rotationLoad(server, key);
    const { options: protectedDpop, topUp: topUpProtected } = await boundProtectedLoad(server, key);
    const load: Record<Scenario, Options> = {
      // The same request everywhere, token included: the rows differ only in what checks it.
      outside: { url: `${server.url}/bench/outside`, headers: bearer },
      middleware: { url: `${server.url}/api/bench/open`, headers: bearer },
      protected: { url: `${server.url}/api/bench/protected`, headers: bearer },
      'protected-dpop': protectedDpop,
      write: {
        url: `${server.url}/api/bench/write`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'x'.repeat(40) }),
      },
      rotation,
      'rotation-dpop': rotationDpop,
      'sign-in': {
        url: `${server.url}/api/auth/token`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      },
      'bare-empty': { url: `${baseline.url}/api/ping` },
      'bare-write': {
        url: `${baseline.url}/api/write`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // A body the size of a refresh request's.
        body: JSON.stringify({ refresh_token: randomBytes(240).toString('base64url') }),
      },
    };
    const measure = async (scenario: Scenario, seconds?: number) => {
      if (scenario === 'rotation') await topUp();
      if (scenario === 'rotation-dpop') await topUpDpop();
      if (scenario === 'protected-dpop') await topUpProtected();
      return run(load[scenario], seconds, scenario.startsWith('bare-') ? baseline.pid : serverPid);
    };
    // Warm-up: JIT compilation and first-request route loading are not measured.
    for (const scenario of SCENARIOS) await measure(scenario, 1);

    const samples = new Map<Scenario, Sample[]>(SCENARIOS.map((s) => [s, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of SCENARIOS) samples.get(scenario)!.push(await measure(scenario));
    }

    // Latency at a fixed offered load: what a user waits, below saturation.
    await topUp();
    const rotationAt250 = await run({ ...rotation, connections: 10, overallRate: 250 }, SECONDS * 2);
    // The same at half the rate this machine's plain write reaches: the target's proportion, on
    // a machine slower than the one 250 req/s was set on.
    const halfFloor = Math.round(median(samples.get('write')!.map((sample) => sample.rps)) / 2);
    await topUp();
    const rotationAtHalf = await run({ ...rotation, connections: 10, overallRate: halfFloor }, SECONDS * 2);
    const fixed = { ...load.protected, connections: 10, overallRate: 100 };
    // Idle, then the same load while 20 clients sign in as fast as they can; alternated three
    // times, the median of each (one slow moment of the VM is not the answer).
    const idleRuns: Sample[] = [];
    const busyRuns: Sample[] = [];
    for (let round = 0; round < 3; round++) {
      idleRuns.push(await run(fixed));
      const [busyRun] = await Promise.all([run(fixed), run({ ...load['sign-in'], connections: 20 })]);
      busyRuns.push(busyRun);
    }
    const idle = { p99: median(idleRuns.map((r) => r.p99)), bad: idleRuns.reduce((n, r) => n + r.bad, 0) };
    const busy = { p99: median(busyRuns.map((r) => r.p99)), bad: busyRuns.reduce((n, r) => n + r.bad, 0) };

    const row = (scenario: Scenario) => {
      const list = samples.get(scenario)!;
      return {
        rps: median(list.map((s) => s.rps)),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        bad: list.reduce((sum, s) => sum + s.bad, 0),
        cpu: median(list.map((s) => s.cpu)),
        total: list.reduce((sum, s) => sum + s.total, 0),
      };
    };
    const rows = Object.fromEntries(SCENARIOS.map((s) => [s, row(s)])) as Record<Scenario, Sample>;

    // Storage: what one rotation leaves in the database (unbound, then bound: a proof id each,
    // until the hourly maintenance prunes it), what one session takes, and rotation's speed with
    // a million live sessions beside the ones it rotates.
    const storage = await storageProbe(server);
    const grew = async (work: () => Promise<number>) => {
      const before = await storage.bytes();
      const count = await work();
      return ((await storage.bytes()) - before) / Math.max(1, count);
    };
    await topUp();
    const perRotation = await grew(async () => (await run(rotation)).total);
    await topUpDpop();
    const perBoundRotation = await grew(async () => (await run(rotationDpop)).total);
    const perSession = await grew(async () => storage.seedSessions(SEEDED_SESSIONS));
    const seeded: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await topUp();
      seeded.push(await run(rotation));
    }
    const seededRps = median(seeded.map((sample) => sample.rps));
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
    // The throughput ratio the CPU cost per request implies (b's cost over a's).
    const byCpu = (a: Scenario, b: Scenario) => `by CPU ${ratio(rows[b].cpu, rows[a].cpu)}`;
    const ofBare = (a: Scenario, bare: Scenario) => ratio(rows[a].rps, rows[bare].rps);
    const relative: Record<Scenario, string> = {
      outside: '1.00 of outside',
      middleware: `${ratio(rows.middleware.rps, rows.outside.rps)} of outside; **${ofBare('middleware', 'bare-empty')} of bare empty middleware** (target ≥ 0.95)`,
      protected: `**${ofBare('protected', 'bare-empty')} of bare empty middleware** (target ≥ 0.95); ${ratio(rows.protected.rps, rows.middleware.rps)} of middleware, ${byCpu('protected', 'middleware')}`,
      'protected-dpop': `${ofBare('protected-dpop', 'bare-empty')} of bare empty middleware`,
      write: `${ratio(rows.write.rps, rows.middleware.rps)} of middleware`,
      rotation: `**${ofBare('rotation', 'bare-write')} of bare write** (target ≥ 0.8); ${ratio(rows.rotation.rps, rows.write.rps)} of write, ${byCpu('rotation', 'write')}`,
      'rotation-dpop': `**${ofBare('rotation-dpop', 'bare-write')} of bare write** (target ≥ 0.6)`,
      'sign-in': `${ratio(rows['sign-in'].rps, rows.write.rps)} of write`,
      'bare-empty': '1.00 of bare empty middleware',
      'bare-write': `${ratio(rows['bare-write'].rps, rows['bare-empty'].rps)} of bare empty middleware`,
    };
    const paths: Record<Scenario, string> = {
      outside: 'GET /bench/outside (outside the matcher)',
      middleware: 'GET /api/bench/open (middleware, no token check)',
      protected: 'GET /api/bench/protected (Bearer check)',
      'protected-dpop': 'the same with a DPoP-bound access token (DPOP_ACCESS_TOKENS)',
      write: 'POST /api/bench/write (one plain write transaction)',
      rotation: 'POST /api/auth/refresh (rotation)',
      'rotation-dpop': 'the same for a DPoP-bound session (proof + nonce)',
      'sign-in': 'POST /api/auth/token (sign-in)',
      'bare-empty': 'bare Next.js app: GET /api/ping through an empty middleware',
      'bare-write': 'bare Next.js app: POST /api/write (one write transaction)',
    };
    const lines = [
      `**${label}**, ${CONNECTIONS} connections, median of ${ROUNDS} interleaved rounds of ${SECONDS} s`,
      '',
      '| route | req/s | ratio | p50 ms | p99 ms | server CPU ms/req | non-2xx/errors |',
      '|---|---:|---|---:|---:|---:|---:|',
      ...SCENARIOS.map((s) => {
        const r = rows[s];
        return `| ${paths[s]} | ${Math.round(r.rps)} | ${relative[s]} | ${r.p50} | ${r.p99} | ${r.cpu.toFixed(2)} | ${r.bad} |`;
      }),
      '',
      `- rotation at a fixed 250 req/s: p50 ${rotationAt250.p50} ms, **p99 ${rotationAt250.p99} ms** (target ≤ 25), ${rotationAt250.bad} non-2xx/errors`,
      `- rotation at a fixed ${halfFloor} req/s (half the plain write's rate here): p50 ${rotationAtHalf.p50} ms, **p99 ${rotationAtHalf.p99} ms**, ${rotationAtHalf.bad} non-2xx/errors`,
      `- protected route at a fixed 100 req/s: p99 ${idle.p99} ms idle, **${busy.p99} ms during a sign-in burst** (${ratio(busy.p99, idle.p99)}×, target ≤ 2×), ${idle.bad + busy.bad} non-2xx/errors`,
      `- storage: **${perRotation.toFixed(1)} bytes per rotation**, ${perBoundRotation.toFixed(1)} per DPoP-bound rotation (its proof id, until pruned), **${Math.round(perSession)} bytes per session** (${storage.kind})`,
      `- rotation with ${SEEDED_SESSIONS.toLocaleString('en')} more live sessions in the database: ${Math.round(seededRps)} req/s, **${ratio(seededRps, rows.rotation.rps)} of the rotation above** (target ≥ 0.85), ${seeded.reduce((n, s) => n + s.bad, 0)} non-2xx/errors`,
    ];
    return lines.join('\n');
  } finally {
    baseline.stop();
    await server.stop();
  }
}

/**
 * The browser's auth client (lib/client) as the page bundle carries it: minified, without React,
 * SWR and Next.js (which the page loads anyway), gzipped.
 */
async function clientSize(): Promise<string> {
  // Everything the pages import from lib/client, in one bundle.
  const modules = ['auth-provider', 'auth-fetch', 'http', '../api/safe-next'];
  const result = await build({
    stdin: {
      contents: modules.map((name) => `export * from './${name}';`).join('\n'),
      resolveDir: path.join(ROOT, 'lib/client'),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['react', 'react-dom', 'react/jsx-runtime', 'swr', 'next', 'next/*'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const gzipped = gzipSync(code, { level: 9 }).length;
  return `- browser auth client (lib/client, minified, without React, SWR and Next.js): ${(code.length / 1024).toFixed(1)} kB, **${(gzipped / 1024).toFixed(1)} kB gzipped** (target ≤ 6)`;
}

/** A throwaway database on the PostgreSQL server DATABASE_URL names, dropped afterwards. */
async function withPostgresDatabase<T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
}

async function main(): Promise<void> {
  const cpu = os.cpus();
  const sections = [
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load generator (autocannon) on the same machine`,
    await benchServer('SQLite'),
  ];
  const url = process.env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    sections.push(await withPostgresDatabase(url, (throwaway) => benchServer('PostgreSQL', throwaway)));
  }
  sections.push(await clientSize());
  console.log(`\n${sections.join('\n\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
