#!/usr/bin/env node
// @ts-check
// `npm test`: everything, from a fresh clone (after `npm ci`).
//   1. preflight: native modules load; Debian's Chromium is there and PostgreSQL answers
//      (installed or started when we are root)
//   2. production build
//   3. unit, HTTP and fault tests (vitest: npm run test:unit, test:api, test:faults) on SQLite
//   4. the same suite on PostgreSQL (throwaway databases, dropped at the end)
//   5. browser tests (Playwright, Debian Chromium)
// Stops at the first failing step with what to do about it, never a wall of failures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const NGINX = '/usr/sbin/nginx';

/** @param {string} title */
function step(title) {
  console.log(`\n━━ ${title}`);
}

/** @param {string} message */
function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

step('Preflight');
if (!existsSync(path.join(root, 'node_modules'))) fail('Dependencies are not installed. Run: npm ci');
try {
  const { default: Database } = await import('better-sqlite3');
  new Database(':memory:').prepare('select 1').get();
  await import('@node-rs/argon2');
} catch (error) {
  fail(
    `A native module does not load (${error instanceof Error ? error.message : String(error)}). Run: npm rebuild better-sqlite3 @node-rs/argon2`,
  );
}
console.log('native modules load (better-sqlite3, @node-rs/argon2)');

/**
 * A Debian package some tests run for real: installed when we are root, otherwise what to run.
 * @param {string} binary
 * @param {string} pkg
 * @param {string} purpose
 */
function debianPackage(binary, pkg, purpose) {
  if (existsSync(binary)) return;
  const installCommand = `apt-get update && apt-get install -y ${pkg}`;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`${binary} is missing; installing Debian's ${pkg}: ${installCommand}`);
    const installed = run('sh', ['-c', installCommand], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (!installed || !existsSync(binary)) fail(`Installing ${pkg} failed. Run as root: ${installCommand}`);
  } else {
    fail(`${purpose} need Debian's ${pkg} at ${binary}. Run as root: ${installCommand}`);
  }
}
debianPackage(CHROMIUM, 'chromium', 'The browser tests');
console.log(`chromium: ${spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
// The replicas-behind-a-proxy test (tests/api/behind-nginx.test.ts) runs a real nginx.
debianPackage(NGINX, 'nginx-light', 'The reverse-proxy tests');
console.log(`nginx: ${spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim()}`);

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function postgresAnswers() {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (!(await postgresAnswers())) {
  const cluster = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql')[0] : undefined;
  const installCommand = 'apt-get update && apt-get install -y postgresql';
  const startCommand = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
  if (process.getuid?.() !== 0) {
    fail(
      `The tests need PostgreSQL at ${POSTGRES_URL}. Run as root: ${cluster ? startCommand : `${installCommand} && ${startCommand}`}`,
    );
  }
  if (!cluster) {
    console.log(`PostgreSQL is not installed; installing it: ${installCommand}`);
    run('sh', ['-c', installCommand], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  console.log(`PostgreSQL does not answer; starting it: ${startCommand}`);
  run('sh', ['-c', startCommand]);
  let ready = false;
  for (let attempt = 0; attempt < 30 && !ready; attempt++) {
    ready = await postgresAnswers();
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!ready) fail(`PostgreSQL did not start. Start it with: ${startCommand}`);
}
console.log(`postgresql: answers at ${POSTGRES_URL.replace(/\/\/[^@]*@/, '//')}`);

step('Production build (npm run build)');
if (!run('npm', ['run', 'build'])) fail('The production build failed (output above).');

step('Unit and HTTP integration tests on SQLite (vitest)');
if (!run('npx', ['vitest', 'run'])) fail('Unit or integration tests failed on SQLite (output above).');

step('Unit and HTTP integration tests on PostgreSQL (vitest, TEST_DATABASE=postgresql)');
if (!run('npx', ['vitest', 'run'], { env: { ...process.env, TEST_DATABASE: 'postgresql' } })) {
  fail('Unit or integration tests failed on PostgreSQL (output above).');
}

step('Browser tests (Playwright, Debian Chromium)');
if (!run('npm', ['run', 'test:e2e'])) fail('Browser tests failed (output above; traces in test-results/).');

console.log('\n✔ All tests passed.\n');
