// @ts-check
// A consistent copy of a live SQLite database, and checks of one: shared by db:backup, db:restore
// and db:copy. The copy uses SQLite's online backup API (better-sqlite3's backup()): it copies the
// pages of one read snapshot, and starts over by itself if another process writes meanwhile, so
// the server can keep serving and the copy is never half a transaction.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Pages per backup step after the first: all of them, so the copy finishes in one more step. */
const ALL_PAGES = 1_000_000_000;

/**
 * Copies the database at `source` into a new file `destination` (which must not exist) and checks
 * the copy. Returns its row counts.
 * @param {string} source
 * @param {string} destination
 */
export async function snapshotSqlite(source, destination) {
  if (!existsSync(source)) throw new Error(`there is no SQLite database at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} already exists; name a new file`);
  const db = new Database(source, { fileMustExist: true });
  try {
    // Wait for the server's write lock rather than failing at once.
    db.pragma('busy_timeout = 5000');
    await db.backup(destination, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  return checkSqlite(destination);
}

/**
 * Opens a SQLite file read-only, proves it whole (`PRAGMA integrity_check`) and migrated, and
 * returns the row count of every table but Prisma's own.
 * @param {string} file
 * @returns {Record<string, number>}
 */
export function checkSqlite(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${file} is damaged: ${String(integrity)}`);
    const tables = /** @type {{ name: string }[]} */ (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' ORDER BY name",
        )
        .all()
    ).map((row) => row.name);
    if (!tables.includes('User') || !tables.includes('Session')) throw new Error(`${file} is not this app's database`);
    return Object.fromEntries(
      tables.map((table) => [
        table,
        /** @type {{ n: number }} */ (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get()).n,
      ]),
    );
  } finally {
    db.close();
  }
}

/**
 * The counts as one line: `User 3, Session 12, …`.
 * @param {Record<string, number>} counts
 */
export function describeCounts(counts) {
  return Object.entries(counts)
    .map(([table, count]) => `${table} ${count}`)
    .join(', ');
}

/**
 * The file a `file:` DATABASE_URL names, resolved against the working directory as the server
 * resolves it (lib/db/location.ts).
 * @param {string} databaseUrl
 */
export function sqliteFileOf(databaseUrl) {
  return path.resolve(process.cwd(), databaseUrl.slice('file:'.length).split('?')[0] ?? '');
}
