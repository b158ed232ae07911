#!/usr/bin/env node
// @ts-check
// Runs the Prisma CLI offline, for the provider DATABASE_URL selects (prisma.config.ts).
//   node scripts/prisma.mjs generate          both providers' clients
//   node scripts/prisma.mjs migrate deploy    the database DATABASE_URL names
// We use the JavaScript schema engine (prisma.config.ts) and the Rust-free client, so the CLI never
// needs its native engines; pointing these variables at an existing file stops it from trying to
// download them (which fails without internet).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROVIDERS, ROOT, schemaPath } from './prisma-schemas.mjs';

const require = createRequire(import.meta.url);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = require.resolve('prisma/build/index.js');
const timers = path.join(ROOT, 'scripts/prisma-cli-timers.cjs');

/** @param {string[]} args */
function prisma(args) {
  return (
    spawnSync(process.execPath, ['--require', timers, cli, ...args], { stdio: 'inherit', env, cwd: ROOT }).status ?? 1
  );
}

const args = process.argv.slice(2);
if (args[0] === 'generate' && !args.includes('--schema')) {
  for (const provider of PROVIDERS) {
    const status = prisma([...args, '--schema', schemaPath(provider)]);
    if (status !== 0) process.exit(status);
  }
  process.exit(0);
}
process.exit(prisma(args));
