/**
 * Throwaway databases for tests, on the provider this run tests: SQLite files (the default) or, with
 * TEST_DATABASE=postgresql, databases created on the local PostgreSQL server and dropped when the
 * run ends (tests/helpers/global-setup.ts).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { Provider } from '@/lib/db';
import { tempDir } from './paths';

export const TEST_PROVIDER: Provider = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';

/** The server's maintenance database, where throwaway databases are created and dropped. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** All of one run's databases share this prefix, so the run's teardown can drop them together. */
export function runPrefix(): string {
  const prefix = process.env.TEST_DATABASE_PREFIX;
  if (!prefix) throw new Error('TEST_DATABASE_PREFIX is set by tests/helpers/global-setup.ts');
  return prefix;
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database URL for one test file or server (on this run's provider by default). */
export async function throwawayDatabaseUrl(
  label: string,
  provider: Provider = TEST_PROVIDER,
): Promise<{ url: string; dir: string }> {
  const dir = tempDir(label);
  if (provider === 'sqlite') return { url: `file:${path.join(dir, 'app.db')}`, dir };
  const name = `${runPrefix()}_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  // The name is built from [a-z0-9_] only, so it is safe inside double quotes.
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), dir };
}
