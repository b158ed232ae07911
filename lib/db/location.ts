import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Provider } from './store';

/** The embedded default: a SQLite file in the data directory, relative to the working directory. */
export const DEFAULT_DATABASE_URL = 'file:./data/app.db';

/** `file:` selects SQLite; `postgres://` or `postgresql://` selects PostgreSQL. */
export function providerOf(databaseUrl: string): Provider | null {
  if (databaseUrl.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\/[^/]/.test(databaseUrl)) return 'postgresql';
  return null;
}

/**
 * Turns a `file:` URL into an absolute path and makes sure its directory exists.
 * Relative paths are resolved against the working directory (not the schema's folder, as
 * Prisma's own URL handling would), so the CLI, the server and the tests agree on one file.
 */
export function sqliteFilePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) {
    throw new TypeError(`not a SQLite file URL: ${databaseUrl.split(':')[0]}:...`);
  }
  const raw = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  if (raw === ':memory:') return raw;
  const absolute = path.resolve(/*turbopackIgnore: true*/ process.cwd(), raw);
  mkdirSync(path.dirname(absolute), { recursive: true });
  return absolute;
}
