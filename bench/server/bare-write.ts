/**
 * The benchmark's floor for a write: one plain database write transaction per request, on the
 * same stack (Next.js, the same database engine and settings as the app), without any of the
 * app's code. Rotation is measured against it (npm run bench). SQLite writes into a file of its own
 * next to the app's; PostgreSQL into a temporary table of each pooled connection: the app's data
 * is never touched. Served by app/api/bench/write, which answers 404 unless ENABLE_BENCH_ROUTES.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

type Writer = (value: string) => Promise<void>;

let writer: Writer | undefined;

function sqliteWriter(dataDir: string): Writer {
  const db = new Database(path.join(/*turbopackIgnore: true*/ dataDir, 'bench-baseline.db'));
  // The app's own settings (lib/db/connection.ts), so the floor is the same engine doing the same.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS bench_write (id INTEGER PRIMARY KEY, value TEXT NOT NULL, at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO bench_write (value, at) VALUES (?, ?)');
  const write = db.transaction((value: string) => insert.run(value, new Date().toISOString()));
  return async (value) => {
    write(value);
  };
}

function postgresWriter(databaseUrl: string): Writer {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  pool.on('connect', (client) => {
    void client.query(
      'CREATE TEMP TABLE IF NOT EXISTS bench_write (id serial PRIMARY KEY, value text, at timestamp(3))',
    );
  });
  return async (value) => {
    await pool.query({
      name: 'bench_write',
      text: 'INSERT INTO bench_write (value, at) VALUES ($1, $2::timestamp(3))',
      values: [value, new Date().toISOString()],
    });
  };
}

/** One write, on the database the app is configured with (its own table, never the app's). */
export function bareWrite(config: { databaseUrl: string; dataDir: string }, value: string): Promise<void> {
  // Opened once, by the first request: this route bundle's own connection, like a bare app's.
  writer ??= config.databaseUrl.startsWith('file:') ? sqliteWriter(config.dataDir) : postgresWriter(config.databaseUrl);
  return writer(value);
}
