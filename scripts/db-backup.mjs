#!/usr/bin/env node
// @ts-check
// Backs up and restores the database DATABASE_URL names (docs/operations.md, "Backup and restore").
//   node scripts/db-backup.mjs backup [--to FILE]          npm run db:backup -- --to FILE
//   node scripts/db-backup.mjs restore --from FILE [--force]   npm run db:restore -- --from FILE
// SQLite: an online backup while the server serves; a restore writes a fresh database file (stop
// the server first). PostgreSQL: pg_dump's custom format and pg_restore, from the machine's
// PostgreSQL client tools.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nextEnv from '@next/env';
import { providerOf, ROOT } from './prisma-schemas.mjs';
import { checkSqlite, describeCounts, snapshotSqlite, sqliteFileOf } from './sqlite-snapshot.mjs';

const USAGE = `usage: npm run db:backup -- [--to FILE]
       npm run db:restore -- --from FILE [--force]`;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`✖ ${message}`);
  process.exit(1);
}

/** @param {string} name @param {string[]} args */
function tool(name, args) {
  const result = spawnSync(name, args, { stdio: 'inherit' });
  if (result.error) fail(`${name} is not installed here (${result.error.message}); install PostgreSQL's client tools`);
  if (result.status !== 0) fail(`${name} failed (exit ${result.status})`);
}

const [command, ...rest] = process.argv.slice(2);
let options;
try {
  options = parseArgs({
    args: rest,
    options: { to: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean', default: false } },
  }).values;
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
if (command !== 'backup' && command !== 'restore') fail(USAGE);

// The same .env files as the server, so this is the database it uses.
nextEnv.loadEnvConfig(ROOT, process.env.NODE_ENV !== 'production');
const url = process.env.DATABASE_URL || 'file:./data/app.db';
const provider = providerOf(url);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

if (command === 'backup') {
  const to = path.resolve(options.to ?? `backups/app-${stamp}.${provider === 'sqlite' ? 'db' : 'dump'}`);
  mkdirSync(path.dirname(to), { recursive: true });
  if (existsSync(to)) fail(`${to} already exists; a backup never overwrites one`);
  if (provider === 'sqlite') {
    /** @type {Record<string, number>} */
    let counts;
    try {
      counts = await snapshotSqlite(sqliteFileOf(url), to);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    console.log(`✔ backed up ${sqliteFileOf(url)} to ${to}\n  ${describeCounts(counts)}`);
  } else {
    // One snapshot of the whole database (pg_dump runs in a single repeatable-read transaction).
    tool('pg_dump', ['--format=custom', '--no-owner', `--file=${to}`, url]);
    console.log(`✔ backed up the PostgreSQL database to ${to}`);
  }
} else {
  if (!options.from) fail(`name the backup to restore with --from FILE\n${USAGE}`);
  const from = path.resolve(options.from);
  if (!existsSync(from)) fail(`there is no backup at ${from}`);
  if (provider === 'sqlite') {
    const target = sqliteFileOf(url);
    // Never over a database unless asked: a restore replaces everything written since the backup.
    if (existsSync(target) && !options.force) {
      fail(
        `${target} exists; stop the server and add --force to replace it (it is kept as ${target}.before-restore-…)`,
      );
    }
    /** @type {Record<string, number>} */
    let counts;
    try {
      counts = checkSqlite(from);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    mkdirSync(path.dirname(target), { recursive: true });
    // Written beside the target and renamed over it: the database is the old one or the whole new one.
    const partial = `${target}.restoring-${process.pid}`;
    copyFileSync(from, partial);
    if (existsSync(target)) renameSync(target, `${target}.before-restore-${stamp}`);
    // The old write-ahead log belongs to the old file; left beside the new one it would be replayed into it.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(partial, target);
    console.log(`✔ restored ${from} to ${target}\n  ${describeCounts(counts)}`);
  } else {
    const args = ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${url}`];
    // Into an empty database by default; --force drops what the backup holds first.
    if (options.force) args.push('--clean', '--if-exists');
    tool('pg_restore', [...args, from]);
    console.log(`✔ restored ${from} into the PostgreSQL database`);
  }
}
