#!/usr/bin/env node
// Writes a new migration by diffing the schema as of the last migration (a committed snapshot)
// against the current prisma/schema.prisma. `prisma migrate dev` cannot do this offline: its
// shadow database fails with the JavaScript schema engine (P3006). `migrate diff` between two
// datamodels needs no database at all.
//
//   npm run db:new-migration -- add_audit_log
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:new-migration -- <name in snake_case>');
  process.exit(2);
}

const schema = 'prisma/schema.prisma';
const migrationsDir = 'prisma/migrations/sqlite';
const snapshot = path.join(migrationsDir, 'schema.snapshot.prisma');

const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
const diff = spawnSync(
  process.execPath,
  ['scripts/prisma.mjs', 'migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
if (diff.status !== 0) process.exit(diff.status ?? 1);

const sql = diff.stdout.trim();
if (sql === '' || sql === '-- This is an empty migration.') {
  console.log('The schema has not changed since the last migration; nothing written.');
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
if (!existsSync(path.join(migrationsDir, 'migration_lock.toml'))) {
  writeFileSync(
    path.join(migrationsDir, 'migration_lock.toml'),
    '# Written by scripts/new-migration.mjs\nprovider = "sqlite"\n',
  );
}
copyFileSync(schema, snapshot);
console.log(`Wrote ${dir}/migration.sql and updated ${snapshot}.`);
