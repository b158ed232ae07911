// A session is one row: rotating its refresh token rewrites that row and adds none, so the
// database does not grow with use (docs/operations.md, "What the database keeps").
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { sqliteFilePath } from './location';
import { rotateRefreshToken } from '../auth/rotation';
import { startSession } from '../auth/sessions';
import { createUser } from '../users/users';
import type { Database } from '.';

const SESSIONS = 20;
const ROTATIONS = 500;

let store: Database['store'];
let db: Database['client'];
let url: string;

beforeAll(async () => {
  ({ store, db, url } = await createTestDb('growth'));
});

afterAll(async () => {
  await store.close();
});

/** Every table's row count. */
async function rowCounts(): Promise<Record<string, number>> {
  return {
    users: await db.user.count(),
    sessions: await db.session.count(),
    revocations: await db.revocation.count(),
    dpopProofs: await db.dpopProof.count(),
    throttles: await db.signInThrottle.count(),
    audit: await db.auditEvent.count(),
  };
}

/** The SQLite file's size once the write-ahead log is folded back into it. */
async function fileBytes(): Promise<number> {
  await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
  return statSync(sqliteFilePath(url)).size;
}

describe('the database under rotation', () => {
  it(`keeps its size and its rows through ${SESSIONS * ROTATIONS} rotations of ${SESSIONS} sessions`, async () => {
    const { deps, clock } = testAuth(store);
    const user = await createUser(deps, { username: 'growth', password: 'growth test password' }, clock.now());
    const tokens: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      tokens.push((await startSession(deps, user, { userAgent: 'growth', ip: null }))!.pair.refreshToken);
    }
    // Warm up: the first writes of a fresh file settle its pages.
    for (let i = 0; i < SESSIONS; i++) tokens[i] = (await rotateRefreshToken(deps, tokens[i]!)).refreshToken;

    const rowsBefore = await rowCounts();
    const bytesBefore = store.provider === 'sqlite' ? await fileBytes() : 0;
    for (let round = 1; round < ROTATIONS; round++) {
      clock.advance(1);
      for (let i = 0; i < SESSIONS; i++) tokens[i] = (await rotateRefreshToken(deps, tokens[i]!)).refreshToken;
    }
    const sessions = await db.session.findMany({ where: { userId: user.id } });
    // Every chain is alive and took every rotation.
    expect(sessions.map((session) => [session.generation, session.revokedAt])).toEqual(
      Array.from({ length: SESSIONS }, () => [ROTATIONS, null]),
    );
    expect(await rowCounts()).toEqual(rowsBefore);
    if (store.provider === 'sqlite') {
      expect((await fileBytes()) - bytesBefore).toBeLessThan(64 * 1024);
    }
  }, 120_000);
});
