/**
 * The refresh path's database steps in plain SQL, one implementation per provider: finding a
 * refresh token with its session and user, consuming it while writing its successor, and
 * recording a DPoP proof's id as used (sign-in and refresh).
 *
 * Why not Prisma here: a profile of `POST /api/auth/refresh` showed Prisma's query compiler and
 * client spending more time per request than everything else together (docs/performance.md).
 * These statements are prepared once, keep every rule of the Prisma version they replace (the
 * conditional update is still the lock), and run through the same guard: queue, deadline, faults.
 * Dates are stored as Prisma stores them, so both paths read and write the same rows.
 */
import 'server-only';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { NewRefreshToken, RefreshTokenRecord, SessionWithUser } from './store';

export type RefreshTokenWithSession = RefreshTokenRecord & { session: SessionWithUser };
export type Rotation = { id: string; sessionId: string; successor: NewRefreshToken; at: Date };

export interface RefreshStatements {
  findRefreshToken(id: string): Promise<RefreshTokenWithSession | null>;
  rotateRefreshToken(rotation: Rotation): Promise<boolean>;
  rememberDpopProof(id: string, expiresAt: Date): Promise<boolean>;
}

/** One row of the join below, as both drivers return it (dates still raw). */
type JoinedRow = {
  id: string;
  sessionId: string;
  issuedAt: unknown;
  expiresAt: unknown;
  usedAt: unknown;
  replacedById: string | null;
  s_userId: string;
  s_createdAt: unknown;
  s_lastUsedAt: unknown;
  s_expiresAt: unknown;
  s_revokedAt: unknown;
  s_revokedReason: string | null;
  s_userAgent: string | null;
  s_ip: string | null;
  s_dpopJkt: string | null;
  u_username: string;
  u_usernameSkeleton: string | null;
  u_passwordHash: string;
  u_role: string;
  u_disabled: unknown;
  u_passwordChangedAt: unknown;
  u_createdAt: unknown;
  u_updatedAt: unknown;
};

const FIND_SQL = `
  SELECT t."id", t."sessionId", t."issuedAt", t."expiresAt", t."usedAt", t."replacedById",
         s."userId" AS "s_userId", s."createdAt" AS "s_createdAt", s."lastUsedAt" AS "s_lastUsedAt",
         s."expiresAt" AS "s_expiresAt", s."revokedAt" AS "s_revokedAt",
         s."revokedReason" AS "s_revokedReason", s."userAgent" AS "s_userAgent", s."ip" AS "s_ip",
         s."dpopJkt" AS "s_dpopJkt",
         u."username" AS "u_username", u."usernameSkeleton" AS "u_usernameSkeleton", u."passwordHash" AS "u_passwordHash", u."role" AS "u_role",
         u."disabled" AS "u_disabled", u."passwordChangedAt" AS "u_passwordChangedAt",
         u."createdAt" AS "u_createdAt", u."updatedAt" AS "u_updatedAt"
  FROM "RefreshToken" t
  JOIN "Session" s ON s."id" = t."sessionId"
  JOIN "User" u ON u."id" = s."userId"
  WHERE t."id" = $1`;

function toRecord(row: JoinedRow, date: (raw: unknown) => Date): RefreshTokenWithSession {
  const maybe = (raw: unknown) => (raw === null ? null : date(raw));
  return {
    id: row.id,
    sessionId: row.sessionId,
    issuedAt: date(row.issuedAt),
    expiresAt: date(row.expiresAt),
    usedAt: maybe(row.usedAt),
    replacedById: row.replacedById,
    session: {
      id: row.sessionId,
      userId: row.s_userId,
      createdAt: date(row.s_createdAt),
      lastUsedAt: date(row.s_lastUsedAt),
      expiresAt: date(row.s_expiresAt),
      revokedAt: maybe(row.s_revokedAt),
      revokedReason: row.s_revokedReason,
      userAgent: row.s_userAgent,
      ip: row.s_ip,
      dpopJkt: row.s_dpopJkt,
      user: {
        id: row.s_userId,
        username: row.u_username,
        usernameSkeleton: row.u_usernameSkeleton,
        passwordHash: row.u_passwordHash,
        role: row.u_role,
        disabled: row.u_disabled === true || row.u_disabled === 1 || row.u_disabled === 1n,
        passwordChangedAt: date(row.u_passwordChangedAt),
        createdAt: date(row.u_createdAt),
        updatedAt: date(row.u_updatedAt),
      },
    },
  };
}

/** Prisma keeps SQLite dates as ISO 8601 text with an explicit UTC offset; so do we. */
function sqliteTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

function sqliteDate(raw: unknown): Date {
  // Prisma's other storage format (timestampFormat: 'unixepoch-ms') is read as well.
  return typeof raw === 'string' ? new Date(raw) : new Date(Number(raw));
}

/**
 * SQLite: synchronous statements on the connection Prisma uses, inside the caller's turn of the
 * serial queue. A synchronous transaction cannot interleave with anything else in this process.
 */
export function sqliteRefreshStatements(
  run: <T>(work: (db: BetterSqlite3.Database) => T) => Promise<T>,
): RefreshStatements {
  let prepared:
    | {
        db: BetterSqlite3.Database;
        find: BetterSqlite3.Statement<[string], JoinedRow>;
        rotate: (rotation: Rotation) => boolean;
        remember: BetterSqlite3.Statement<[string, string]>;
      }
    | undefined;

  function statements(db: BetterSqlite3.Database) {
    if (prepared?.db === db) return prepared;
    // $1 is PostgreSQL's placeholder; SQLite's is ?.
    const find = db.prepare<[string], JoinedRow>(FIND_SQL.replace('$1', '?')).safeIntegers(false);
    const claim = db.prepare(
      'UPDATE "RefreshToken" SET "usedAt" = ?, "replacedById" = ? WHERE "id" = ? AND "usedAt" IS NULL',
    );
    const insert = db.prepare(
      'INSERT INTO "RefreshToken" ("id", "sessionId", "issuedAt", "expiresAt") VALUES (?, ?, ?, ?)',
    );
    const touch = db.prepare('UPDATE "Session" SET "lastUsedAt" = ? WHERE "id" = ?');
    // One transaction: the token consumed, its successor written and the session touched, or none.
    const rotate = db.transaction(({ id, sessionId, successor, at }: Rotation): boolean => {
      const at_ = sqliteTime(at);
      // The conditional update is the lock: exactly one request can move usedAt off NULL.
      if (claim.run(at_, successor.id, id).changes !== 1) return false;
      insert.run(successor.id, sessionId, sqliteTime(successor.issuedAt), sqliteTime(successor.expiresAt));
      touch.run(at_, sessionId);
      return true;
    });
    // The primary key is the check: a second insert of the same id changes nothing.
    const remember = db.prepare<[string, string]>(
      'INSERT INTO "DpopProof" ("id", "expiresAt") VALUES (?, ?) ON CONFLICT ("id") DO NOTHING',
    );
    prepared = { db, find, rotate, remember };
    return prepared;
  }

  return {
    findRefreshToken: (id) =>
      run((db) => {
        const row = statements(db).find.get(id);
        return row ? toRecord(row, sqliteDate) : null;
      }),
    rotateRefreshToken: (rotation) => run((db) => statements(db).rotate(rotation)),
    rememberDpopProof: (id, expiresAt) =>
      run((db) => statements(db).remember.run(id, sqliteTime(expiresAt)).changes === 1),
  };
}

const TIMESTAMP_OID = 1114;

/**
 * Prisma's PostgreSQL columns are `timestamp(3)` without a time zone, holding UTC. pg would read
 * them as local time; these queries read them as UTC, whatever the server's TZ.
 */
function postgresTypes(types: typeof pg.types): pg.CustomTypesConfig {
  const utc = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
  const parser = (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === TIMESTAMP_OID ? utc : (types.getTypeParser(oid, format) as unknown);
  return { getTypeParser: parser as pg.CustomTypesConfig['getTypeParser'] };
}

/**
 * Consume, write the successor and touch the session in one statement: one round trip, atomic.
 * Under READ COMMITTED a concurrent claimer waits for the row lock, re-checks `usedAt IS NULL`
 * and matches nothing, so it inserts nothing.
 */
const ROTATE_SQL = `
  WITH claimed AS (
    UPDATE "RefreshToken" SET "usedAt" = $3::timestamp(3), "replacedById" = $2::text
    WHERE "id" = $1::text AND "usedAt" IS NULL
    RETURNING "sessionId"
  ), successor AS (
    INSERT INTO "RefreshToken" ("id", "sessionId", "issuedAt", "expiresAt")
    SELECT $2::text, "sessionId", $4::timestamp(3), $5::timestamp(3) FROM claimed
  ), touched AS (
    UPDATE "Session" SET "lastUsedAt" = $3::timestamp(3) WHERE "id" IN (SELECT "sessionId" FROM claimed)
  )
  SELECT count(*)::int AS "claimed" FROM claimed`;

/** PostgreSQL: named (server-side prepared) statements on the pool Prisma shares. */
export function postgresRefreshStatements(
  run: <T>(work: (pool: pg.Pool) => Promise<T>) => Promise<T>,
  types: typeof pg.types,
): RefreshStatements {
  const parse = postgresTypes(types);
  // pg sends Date parameters in local time; ISO text in UTC is stored as written (no zone).
  const time = (date: Date) => date.toISOString();
  return {
    findRefreshToken: (id) =>
      run(async (pool) => {
        const result = await pool.query<JoinedRow>({
          name: 'staysignedin_find_refresh_token',
          text: FIND_SQL,
          values: [id],
          types: parse,
        });
        const row = result.rows[0];
        return row ? toRecord(row, (raw) => raw as Date) : null;
      }),
    rotateRefreshToken: ({ id, successor, at }) =>
      run(async (pool) => {
        const result = await pool.query<{ claimed: number }>({
          name: 'staysignedin_rotate_refresh_token',
          text: ROTATE_SQL,
          values: [id, successor.id, time(at), time(successor.issuedAt), time(successor.expiresAt)],
        });
        return result.rows[0]?.claimed === 1;
      }),
    rememberDpopProof: (id, expiresAt) =>
      run(async (pool) => {
        // The primary key is the check: a second insert of the same id, from any instance, is a no-op.
        const result = await pool.query({
          name: 'staysignedin_remember_dpop_proof',
          text: 'INSERT INTO "DpopProof" ("id", "expiresAt") VALUES ($1::text, $2::timestamp(3)) ON CONFLICT ("id") DO NOTHING',
          values: [id, time(expiresAt)],
        });
        return result.rowCount === 1;
      }),
  };
}
