// npm run db:copy -- --to postgresql://…  [--from file:./data/app.db]
// Moves every row of the SQLite database (DATABASE_URL, or --from) into an empty PostgreSQL
// database, which it migrates first: one consistent snapshot of the source (SQLite's online
// backup, so the server may keep serving; what it writes after the snapshot is not copied), written
// in one transaction. Refuses a target that holds any row. docs/operations.md, "From SQLite to
// PostgreSQL".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvConfig } from '@next/env';
import { maintenanceClient } from '../lib/db/connection';
import { copyDatabase, TargetNotEmptyError } from '../lib/db/copy';
import { DEFAULT_DATABASE_URL, providerOf } from '../lib/db/location';
import { describeCounts, snapshotSqlite, sqliteFileOf } from './sqlite-snapshot.mjs';

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: npm run db:copy -- --to postgresql://user@host:5432/db [--from file:./data/app.db]';

function fail(message: string): never {
  console.error(`✖ ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { to?: string; from?: string };
  try {
    values = parseArgs({ options: { to: { type: 'string' }, from: { type: 'string' } } }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  loadEnvConfig(ROOT, process.env.NODE_ENV !== 'production');
  const from = values.from ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const to = values.to;
  if (providerOf(from) !== 'sqlite')
    fail(`the source must be a SQLite database (file:…), not ${from.split(':')[0]}:…\n${USAGE}`);
  if (!to || providerOf(to) !== 'postgresql')
    fail(`name the PostgreSQL database to copy into with --to postgresql://…\n${USAGE}`);

  const folder = mkdtempSync(path.join(os.tmpdir(), 'db-copy-'));
  try {
    const snapshot = path.join(folder, 'snapshot.db');
    const read = await snapshotSqlite(sqliteFileOf(from), snapshot);
    console.log(`snapshot of ${sqliteFileOf(from)}: ${describeCounts(read)}`);

    // The target gets this release's schema first, as `npm start` would give it.
    const migrate = spawnSync(process.execPath, [path.join(ROOT, 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: to },
      encoding: 'utf8',
    });
    if (migrate.status !== 0) fail(`migrating the target failed:\n${migrate.stdout}${migrate.stderr}`);

    const source = maintenanceClient(`file:${snapshot}`);
    const target = maintenanceClient(to);
    try {
      const copied = await copyDatabase(source, target, 'postgresql');
      console.log(`✔ copied into PostgreSQL: ${describeCounts(copied)}`);
      console.log('  Set DATABASE_URL to the PostgreSQL database and restart the server.');
    } catch (error) {
      if (error instanceof TargetNotEmptyError) fail(`${error.message}; nothing was copied`);
      throw error;
    } finally {
      await source.$disconnect();
      await target.$disconnect();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) =>
  fail(`the copy failed and no row was copied: ${error instanceof Error ? error.message : String(error)}`),
);
