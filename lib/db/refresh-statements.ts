/**
 * The hot path's database steps in plain SQL, one implementation per provider: reading a session
 * with its user (every refresh and every live check), rotating a session from one generation to
 * the next, and recording a DPoP proof's id as used (sign-in and refresh).
 *
 * Why not Prisma here: a profile of `POST /api/auth/refresh` showed Prisma's query compiler and
 * client spending more time per request than everything else together (docs/performance.md).
 * These statements are prepared once, keep every rule of the Prisma version they replace (the
 * conditional update is the lock), and run through the same guard: queue, deadline, faults.
 * Dates are stored as Prisma stores them, so both paths read and write the same rows.
 */
import 'server-only';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { CurrentRotation, Rotated, Rotation, SessionWithUser } from './store';

export interface RefreshStatements {
  findSession(id: string): Promise<SessionWithUser | null>;
  rotateSession(rotation: Rotation): Promise<boolean>;
  rotateCurrent(rotation: CurrentRotation): Promise<Rotated | null>;
  rememberDpopProof(id: string, expiresAt: Date): Promise<boolean>;
}

/** One row of the join below, as both drivers return it (dates still raw). */
type JoinedRow = {
  id: string;
  userId: string;
  createdAt: unknown;
  lastUsedAt: unknown;
  expiresAt: unknown;
  revokedAt: unknown;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
  dpopJkt: string | null;
  generation: number;
  rotatedAt: unknown;
  refreshExpiresAt: unknown;
  legacyJti: string | null;
  legacyPreviousJti: string | null;
  authTime: unknown;
  amr: string | null;
  ssoIssuer: string | null;
  ssoSid: string | null;
  u_username: string;
  u_usernameSkeleton: string | null;
  u_passwordHash: string;
  u_email: string | null;
  u_emailVerifiedAt: unknown;
  u_emailSetBy: string | null;
  u_role: string;
  u_disabled: unknown;
  u_passwordChangedAt: unknown;
  u_createdAt: unknown;
  u_updatedAt: unknown;
};

const FIND_SQL = `
  SELECT s."id", s."userId", s."createdAt", s."lastUsedAt", s."expiresAt", s."revokedAt",
         s."revokedReason", s."userAgent", s."ip", s."dpopJkt", s."generation", s."rotatedAt",
         s."refreshExpiresAt", s."legacyJti", s."legacyPreviousJti", s."authTime", s."amr",
         s."ssoIssuer", s."ssoSid",
         u."username" AS "u_username", u."usernameSkeleton" AS "u_usernameSkeleton",
         u."passwordHash" AS "u_passwordHash", u."email" AS "u_email",
         u."emailVerifiedAt" AS "u_emailVerifiedAt", u."emailSetBy" AS "u_emailSetBy",
         u."role" AS "u_role", u."disabled" AS "u_disabled",
         u."passwordChangedAt" AS "u_passwordChangedAt", u."createdAt" AS "u_createdAt",
         u."updatedAt" AS "u_updatedAt"
  FROM "Session" s
  JOIN "User" u ON u."id" = s."userId"
  WHERE s."id" = $1`;

/**
 * The rotation, one statement: the row moves from generation $2 to the next only if it still says
 * $2 and the session has not ended. Under concurrency one caller matches; the others, on any
 * instance, find the generation already moved (PostgreSQL: they wait for the row lock, re-check
 * the condition and match nothing).
 */
const ROTATE_SQL = `
  UPDATE "Session"
  SET "generation" = "generation" + 1, "rotatedAt" = $3::timestamp(3), "lastUsedAt" = $3::timestamp(3),
      "refreshExpiresAt" = $4::timestamp(3)
  WHERE "id" = $1::text AND "generation" = $2::int AND "revokedAt" IS NULL`;

/**
 * The common refresh in one round trip: the same rotation, with every check rotation.ts makes of
 * the session and its account (rules 4 and 7) in its condition, returning what the new tokens
 * need. A row that does not match changes nothing; rotation.ts then reads it and says why.
 */
const ROTATE_CURRENT_SQL = `
  UPDATE "Session"
  SET "generation" = "generation" + 1, "rotatedAt" = $3::timestamp(3), "lastUsedAt" = $3::timestamp(3),
      "refreshExpiresAt" = CASE WHEN $4::timestamp(3) < "expiresAt" THEN $4::timestamp(3) ELSE "expiresAt" END
  WHERE "id" = $1::text AND "generation" = $2::int AND "userId" = $5::text
    AND "dpopJkt" IS NOT DISTINCT FROM $6::text
    AND "revokedAt" IS NULL AND "expiresAt" > $3::timestamp(3)
    AND EXISTS (SELECT 1 FROM "User" u WHERE u."id" = "Session"."userId" AND NOT u."disabled"
                AND u."passwordChangedAt" <= "Session"."createdAt")
  RETURNING "refreshExpiresAt", COALESCE("authTime", "createdAt") AS "authTime", "amr",
            (SELECT u."role" FROM "User" u WHERE u."id" = "Session"."userId") AS "role"`;

type CurrentRow = { refreshExpiresAt: unknown; authTime: unknown; amr: string | null; role: string };

/** A rotation's row as the tokens need it; a session from before `amr` was kept signed in with a password. */
function rotated(row: CurrentRow, date: (raw: unknown) => Date): Rotated {
  return {
    role: row.role,
    refreshExpiresAt: date(row.refreshExpiresAt),
    authTime: date(row.authTime),
    amr: row.amr ?? 'pwd',
  };
}

/** The PostgreSQL text for SQLite: no casts, and the named parameter `@pn` for `$n`. */
function forSqlite(sql: string): string {
  return sql.replace(/::[a-z]+(\(\d+\))?/g, '').replace(/\$(\d)/g, '@p$1');
}

function toRecord(row: JoinedRow, date: (raw: unknown) => Date): SessionWithUser {
  const maybe = (raw: unknown) => (raw === null ? null : date(raw));
  return {
    id: row.id,
    userId: row.userId,
    createdAt: date(row.createdAt),
    lastUsedAt: date(row.lastUsedAt),
    expiresAt: date(row.expiresAt),
    revokedAt: maybe(row.revokedAt),
    revokedReason: row.revokedReason,
    userAgent: row.userAgent,
    ip: row.ip,
    dpopJkt: row.dpopJkt,
    generation: Number(row.generation),
    rotatedAt: maybe(row.rotatedAt),
    refreshExpiresAt: maybe(row.refreshExpiresAt),
    legacyJti: row.legacyJti,
    legacyPreviousJti: row.legacyPreviousJti,
    authTime: maybe(row.authTime),
    amr: row.amr,
    ssoIssuer: row.ssoIssuer,
    ssoSid: row.ssoSid,
    user: {
      id: row.userId,
      username: row.u_username,
      usernameSkeleton: row.u_usernameSkeleton,
      passwordHash: row.u_passwordHash,
      email: row.u_email,
      emailVerifiedAt: maybe(row.u_emailVerifiedAt),
      emailSetBy: row.u_emailSetBy,
      role: row.u_role,
      disabled: row.u_disabled === true || row.u_disabled === 1 || row.u_disabled === 1n,
      passwordChangedAt: date(row.u_passwordChangedAt),
      createdAt: date(row.u_createdAt),
      updatedAt: date(row.u_updatedAt),
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
        find: BetterSqlite3.Statement<[{ p1: string }], JoinedRow>;
        rotate: BetterSqlite3.Statement<[{ p1: string; p2: number; p3: string; p4: string }]>;
        rotateCurrent: BetterSqlite3.Statement<[CurrentParams], CurrentRow>;
        remember: BetterSqlite3.Statement<[string, string]>;
      }
    | undefined;

  function statements(db: BetterSqlite3.Database) {
    if (prepared?.db === db) return prepared;
    const find = db.prepare<[{ p1: string }], JoinedRow>(forSqlite(FIND_SQL)).safeIntegers(false);
    const rotate = db.prepare<[{ p1: string; p2: number; p3: string; p4: string }]>(forSqlite(ROTATE_SQL));
    const rotateCurrent = db.prepare<[CurrentParams], CurrentRow>(forSqlite(ROTATE_CURRENT_SQL));
    // The primary key is the check: a second insert of the same id changes nothing.
    const remember = db.prepare<[string, string]>(
      'INSERT INTO "DpopProof" ("id", "expiresAt") VALUES (?, ?) ON CONFLICT ("id") DO NOTHING',
    );
    prepared = { db, find, rotate, rotateCurrent, remember };
    return prepared;
  }

  return {
    findSession: (id) =>
      run((db) => {
        const row = statements(db).find.get({ p1: id });
        return row ? toRecord(row, sqliteDate) : null;
      }),
    // One statement, so one implicit transaction: the generation moved, or nothing changed.
    rotateSession: ({ sessionId, generation, at, refreshExpiresAt }) =>
      run(
        (db) =>
          statements(db).rotate.run({
            p1: sessionId,
            p2: generation,
            p3: sqliteTime(at),
            p4: sqliteTime(refreshExpiresAt),
          }).changes === 1,
      ),
    rotateCurrent: (rotation) =>
      run((db) => {
        const row = statements(db).rotateCurrent.get({
          p1: rotation.sessionId,
          p2: rotation.generation,
          p3: sqliteTime(rotation.at),
          p4: sqliteTime(rotation.refreshExpiresAt),
          p5: rotation.userId,
          p6: rotation.dpopJkt,
        });
        return row ? rotated(row, sqliteDate) : null;
      }),
    rememberDpopProof: (id, expiresAt) =>
      run((db) => statements(db).remember.run(id, sqliteTime(expiresAt)).changes === 1),
  };
}

type CurrentParams = { p1: string; p2: number; p3: string; p4: string; p5: string; p6: string | null };

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

/** PostgreSQL: named (server-side prepared) statements on the pool Prisma shares. */
export function postgresRefreshStatements(
  run: <T>(work: (pool: pg.Pool) => Promise<T>) => Promise<T>,
  types: typeof pg.types,
): RefreshStatements {
  const parse = postgresTypes(types);
  // pg sends Date parameters in local time; ISO text in UTC is stored as written (no zone).
  const time = (date: Date) => date.toISOString();
  return {
    findSession: (id) =>
      run(async (pool) => {
        const result = await pool.query<JoinedRow>({
          name: 'staysignedin_find_session',
          text: FIND_SQL,
          values: [id],
          types: parse,
        });
        const row = result.rows[0];
        return row ? toRecord(row, (raw) => raw as Date) : null;
      }),
    rotateSession: ({ sessionId, generation, at, refreshExpiresAt }) =>
      run(async (pool) => {
        const result = await pool.query({
          name: 'staysignedin_rotate_session',
          text: ROTATE_SQL,
          values: [sessionId, generation, time(at), time(refreshExpiresAt)],
        });
        return result.rowCount === 1;
      }),
    rotateCurrent: (rotation) =>
      run(async (pool) => {
        const result = await pool.query<CurrentRow>({
          name: 'staysignedin_rotate_current',
          text: ROTATE_CURRENT_SQL,
          values: [
            rotation.sessionId,
            rotation.generation,
            time(rotation.at),
            time(rotation.refreshExpiresAt),
            rotation.userId,
            rotation.dpopJkt,
          ],
          types: parse,
        });
        const row = result.rows[0];
        return row ? rotated(row, (raw) => raw as Date) : null;
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
