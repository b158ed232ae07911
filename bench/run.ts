/**
 * npm run bench: honest numbers, not a test. Starts the production server (same start script
 * as npm start) on a throwaway SQLite file and measures, at 20 connections:
 *   - the same trivial handler without and with the middleware's Bearer access-token check,
 *   - POST /api/auth/refresh rotation (every request consumes a token and writes its successor),
 * plus the sign-in time for an unknown user vs a wrong password (they should match).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { ADMIN, startServer, type TestServer } from '../tests/helpers/server';
import { post, signIn } from '../tests/helpers/http';

const CONNECTIONS = 20;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

type Row = { name: string; rps: number; p50: number; p99: number; non2xx: number; errors: number };

async function measure(name: string, options: autocannon.Options): Promise<Row> {
  // A short warm-up so JIT compilation and lazy route loading are not measured.
  await autocannon({ ...options, duration: 2, connections: CONNECTIONS });
  const result = await autocannon({ ...options, duration: DURATION, connections: CONNECTIONS });
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function rotation(server: TestServer): Promise<Row> {
  // Every connection keeps its own chain going: each response's refresh token is used next.
  const pool: string[] = [];
  for (let i = 0; i < CONNECTIONS * 2; i++)
    pool.push((await signIn(server.url, ADMIN.username, ADMIN.password)).refresh_token);
  return measure('POST /api/auth/refresh (rotation)', {
    url: server.url,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/refresh',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const token = pool.shift();
          return token ? { ...request, body: JSON.stringify({ refresh_token: token }) } : undefined;
        },
        onResponse: (status, body) => {
          if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
    ],
  } as autocannon.Options);
}

async function signInTiming(server: TestServer): Promise<{ unknown: number; wrong: number }> {
  const median = async (username: string) => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const start = performance.now();
      await post(`${server.url}/api/auth/token`, { username, password: 'not the password' });
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[7]!;
  };
  return { unknown: await median('nobody-by-that-name'), wrong: await median(ADMIN.username) };
}

function table(rows: Row[]): string {
  const header = '| route | req/s | p50 ms | p99 ms | non-2xx | errors |\n|---|---:|---:|---:|---:|---:|';
  return [
    header,
    ...rows.map((r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const server = await startServer({ label: 'bench', env: { ENABLE_BENCH_ROUTES: 'true' } });
  try {
    const { access_token } = await signIn(server.url, ADMIN.username, ADMIN.password);
    const rows = [
      await measure('GET /bench/open (no token check)', { url: `${server.url}/bench/open` }),
      await measure('GET /api/bench/protected (Bearer access token)', {
        url: `${server.url}/api/bench/protected`,
        headers: { authorization: `Bearer ${access_token}` },
      }),
      await rotation(server),
    ];
    const timing = await signInTiming(server);
    const cpu = os.cpus();
    console.log(
      `\n${CONNECTIONS} connections, ${DURATION} s each, SQLite, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}\n`,
    );
    console.log(table(rows));
    console.log(
      `\nSign-in, median of 15: unknown user ${timing.unknown.toFixed(1)} ms, wrong password ${timing.wrong.toFixed(1)} ms`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
