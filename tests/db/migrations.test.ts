/**
 * Each provider's committed migrations produce exactly the schema prisma/schema.prisma describes:
 * a database migrated step by step is compared, table by table, with one created in a single step
 * from the current schema; and no schema change is waiting for its migration.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqliteFilePath } from '@/lib/db/location';
import { migrate } from '../helpers/database';
import { TEST_PROVIDER, throwawayDatabaseUrl } from '../helpers/databases';
import { ROOT } from '../helpers/paths';

type Provider = 'sqlite' | 'postgresql';

function prisma(args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/prisma.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`prisma ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The provider's schema file (derived for PostgreSQL by the same script the CLI uses). */
async function schemaFile(provider: Provider): Promise<string> {
  const { schemaPath } = await import('../../scripts/prisma-schemas.mjs');
  return schemaPath(provider);
}

async function oneStepSql(provider: Provider): Promise<string> {
  return prisma(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', await schemaFile(provider), '--script']);
}

function sqliteShape(url: string): unknown {
  const db = new Database(sqliteFilePath(url), { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name",
      )
      .all() as { name: string }[];
    return tables.map(({ name }) => ({
      name,
      columns: db.prepare(`PRAGMA table_info("${name}")`).all(),
      indexes: (db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number }[])
        .map((index) => ({
          unique: index.unique,
          columns: (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((c) => c.name),
        }))
        .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
      foreignKeys: db.prepare(`PRAGMA foreign_key_list("${name}")`).all(),
    }));
  } finally {
    db.close();
  }
}

async function postgresShape(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, datetime_precision
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name != '_prisma_migrations'
        ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename != '_prisma_migrations' ORDER BY indexname`,
    );
    const constraints = await client.query(
      `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text != '_prisma_migrations'
        ORDER BY conname`,
    );
    return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
  } finally {
    await client.end();
  }
}

async function applyOneStep(provider: Provider, url: string, sql: string): Promise<void> {
  if (provider === 'sqlite') {
    const db = new Database(sqliteFilePath(url));
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

// SQLite always; PostgreSQL in the run that has it (TEST_DATABASE=postgresql).
const providers: Provider[] = TEST_PROVIDER === 'postgresql' ? ['sqlite', 'postgresql'] : ['sqlite'];

describe.each(providers)('the %s migrations', (provider) => {
  it('produce the same tables, columns, indexes and keys as the current schema in one step', async () => {
    const stepwise = await throwawayDatabaseUrl(`mig-${provider}-a`, provider);
    const direct = await throwawayDatabaseUrl(`mig-${provider}-b`, provider);
    migrate(stepwise.url);
    await applyOneStep(provider, direct.url, await oneStepSql(provider));
    const shape = provider === 'sqlite' ? sqliteShape : postgresShape;
    const [a, b] = [await shape(stepwise.url), await shape(direct.url)];
    expect(JSON.stringify(a)).toContain('refreshExpiresAt');
    expect(a).toEqual(b);
  });

  it('leave no schema change without its migration (the snapshot equals the current schema)', async () => {
    const snapshot = `prisma/migrations/${provider}/schema.snapshot.prisma`;
    const diff = prisma([
      'migrate',
      'diff',
      '--from-schema-datamodel',
      snapshot,
      '--to-schema-datamodel',
      await schemaFile(provider),
      '--script',
    ]);
    expect(diff.trim()).toBe('-- This is an empty migration.');
  });
});
