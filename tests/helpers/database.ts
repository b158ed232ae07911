/**
 * A real, migrated database (SQLite file or throwaway PostgreSQL database, see databases.ts) for
 * tests of lib/ modules. Migrations are applied with the same `prisma migrate deploy` the server runs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openDatabase, type Database } from '@/lib/db';
import { throwawayDatabaseUrl } from './databases';
import { ROOT } from './paths';

export function migrate(url: string): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

export async function createTestDb(
  label = 'db',
): Promise<{ store: Database['store']; db: Database['client']; url: string; dir: string }> {
  const { url, dir } = await throwawayDatabaseUrl(label);
  migrate(url);
  const { store, client } = openDatabase(url);
  return { store, db: client, url, dir };
}
