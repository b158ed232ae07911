#!/usr/bin/env node
// @ts-check
// Starts the app: apply pending migrations, then `next start` (or `next dev`).
// This is the one start command: `npm start`, the Dockerfile and the tests all use it.
//
//   node scripts/run-app.mjs start   production server (after `npm run build`)
//   node scripts/run-app.mjs dev     development server
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import nextEnv from '@next/env';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
if (mode !== 'start' && mode !== 'dev') {
  console.error('usage: node scripts/run-app.mjs start|dev');
  process.exit(2);
}

/** @type {Record<string, string | undefined>} */ (process.env).NODE_ENV ??=
  mode === 'start' ? 'production' : 'development';
// A self-hosted app should not phone home unless its operator opts in.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
// The same .env files Next.js reads, so migrations go to the database the server will use.
nextEnv.loadEnvConfig(root, mode === 'dev');

const migrate = spawnSync(process.execPath, [path.join(root, 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
  cwd: root,
  encoding: 'utf8',
});
if (migrate.status !== 0) {
  // Prisma's own output says what went wrong; it is only worth reading when it did.
  process.stderr.write(`${migrate.stdout}${migrate.stderr}\nDatabase migrations failed; the server was not started.\n`);
  process.exit(migrate.status ?? 1);
}
const applied = /The following migration\(s\) have been applied/.test(migrate.stdout);
console.log(applied ? 'Database migrated to the latest schema.' : 'Database schema is up to date.');

/**
 * The image holds Next.js's standalone server (server.js, scripts/image-files.mjs) instead of the
 * next CLI; it takes its address from the environment rather than from -H and -p.
 * @param {string[]} args
 */
function standaloneServer(args) {
  const option = (/** @type {string} */ flag) => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  // HOSTNAME is set to the container's own name by container engines; the server listens on all
  // interfaces unless -H says otherwise, as `next start` does.
  process.env.HOSTNAME = option('-H') ?? option('--hostname') ?? '0.0.0.0';
  const port = option('-p') ?? option('--port');
  if (port) process.env.PORT = port;
  return [path.join(root, 'server.js')];
}
const standalone = mode === 'start' && existsSync(path.join(root, 'server.js'));
const server = standalone
  ? standaloneServer(process.argv.slice(3))
  : [require.resolve('next/dist/bin/next'), mode, ...process.argv.slice(3)];
// Body limits and method checks at Node's HTTP layer, before Next.js buffers anything.
const guard = path.join(root, 'lib/preload/preload.cjs');
// CPU_PROFILE_DIR=dir writes a V8 CPU profile of the server there on exit (npm run bench -- --profile).
const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROFILE_DIR}`] : [];
const child = spawn(process.execPath, [...profile, '--require', guard, ...server], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(/** @type {NodeJS.Signals} */ (signal)));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
