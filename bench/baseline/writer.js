// @ts-check
// One write transaction per call, on SQLite or PostgreSQL: what bench/run.ts compares rotation to.
import Database from 'better-sqlite3';
import pg from 'pg';

/** @typedef {{ write(token: string): Promise<number> }} Writer */

/**
 * @param {string} file
 * @returns {Writer}
 */
function sqliteWriter(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS token (id INTEGER PRIMARY KEY, value TEXT NOT NULL, at TEXT NOT NULL);
           CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
           INSERT OR IGNORE INTO counter (id, n) VALUES (1, 0);`);
  const insert = db.prepare('INSERT INTO token (value, at) VALUES (?, ?)');
  const update = db.prepare('UPDATE counter SET n = n + 1 WHERE id = 1');
  const write = db.transaction((/** @type {string} */ token) => {
    const id = Number(insert.run(token, new Date().toISOString()).lastInsertRowid);
    update.run();
    return id;
  });
  return { write: async (token) => write(token) };
}

/**
 * @param {string} url
 * @returns {Writer}
 */
function postgresWriter(url) {
  const pool = new pg.Pool({ connectionString: url });
  const ready =
    pool.query(`CREATE TABLE IF NOT EXISTS token (id BIGSERIAL PRIMARY KEY, value TEXT NOT NULL, at TIMESTAMP(3) NOT NULL);
                          CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);
                          INSERT INTO counter (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING;`);
  return {
    async write(token) {
      await ready;
      // One statement, one round trip: as the app's rotation on PostgreSQL.
      /** @type {pg.QueryResult<{ id: string }>} */
      const result = await pool.query({
        name: 'baseline_write',
        text: `WITH inserted AS (INSERT INTO token (value, at) VALUES ($1, now()) RETURNING id),
                    counted AS (UPDATE counter SET n = n + 1 WHERE id = 1)
               SELECT id FROM inserted`,
        values: [token],
      });
      return Number(result.rows[0]?.id);
    },
  };
}

/** @type {Writer | undefined} */
let current;

export function writer() {
  const url = process.env.BASELINE_DATABASE_URL ?? 'file:./bench-baseline.db';
  current ??= /^postgres(ql)?:\/\//.test(url) ? postgresWriter(url) : sqliteWriter(url.replace(/^file:/, ''));
  return current;
}
