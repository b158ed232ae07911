/**
 * A real, migrated SQLite database in a throwaway directory, for tests of lib/ modules.
 * Migrations are applied with the same `prisma migrate deploy` the server runs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createDb, tuneSqlite, type Db } from '@/lib/db/client';
import { ROOT, tempDir } from './paths';

export async function createTestDb(label = 'db'): Promise<{ db: Db; url: string; dir: string }> {
  const dir = tempDir(label);
  const url = `file:${path.join(dir, 'app.db')}`;
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/prisma.mjs'), 'migrate', 'deploy'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  const db = createDb(url);
  await tuneSqlite(db);
  return { db, url, dir };
}
