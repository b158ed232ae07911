#!/usr/bin/env node
// @ts-check
// Writes a new migration for each provider by diffing the schema as of its last migration (a
// committed snapshot) against the current prisma/schema.prisma (derived for PostgreSQL by
// scripts/prisma-schemas.mjs). `prisma migrate dev` cannot do this offline: its shadow database
// fails with the JavaScript schema engine (P3006). `migrate diff` between two datamodels needs no
// database at all.
//
//   npm run db:new-migration -- add_audit_log
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrationsPath, PROVIDERS, ROOT, schemaPath, schemaText } from './prisma-schemas.mjs';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:new-migration -- <name in snake_case>');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);

for (const provider of PROVIDERS) {
  const dir = path.join(ROOT, migrationsPath(provider));
  const snapshot = path.join(dir, 'schema.snapshot.prisma');
  const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
  const diff = spawnSync(
    process.execPath,
    ['scripts/prisma.mjs', 'migrate', 'diff', ...from, '--to-schema-datamodel', schemaPath(provider), '--script'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (diff.status !== 0) process.exit(diff.status ?? 1);

  const sql = diff.stdout.trim();
  if (sql === '' || sql === '-- This is an empty migration.') {
    console.log(`${provider}: the schema has not changed since the last migration; nothing written.`);
    continue;
  }
  const target = path.join(dir, `${stamp}_${name}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, 'migration.sql'), `${sql}\n`);
  if (!existsSync(path.join(dir, 'migration_lock.toml'))) {
    writeFileSync(
      path.join(dir, 'migration_lock.toml'),
      `# Written by scripts/new-migration.mjs\nprovider = "${provider}"\n`,
    );
  }
  writeFileSync(snapshot, schemaText(provider));
  console.log(`${provider}: wrote ${path.relative(ROOT, target)}/migration.sql and updated the snapshot.`);
}
