import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/db';
import { createTestDb } from '@/tests/helpers/database';

/**
 * The refresh path's plain statements must agree with Prisma, which writes and reads the same
 * rows everywhere else: same dates (whatever the process's time zone), same booleans, same rules.
 */
describe('the refresh path in plain SQL', () => {
  let store: Database['store'];
  let db: Database['client'];
  const originalTz = process.env.TZ;

  const at = new Date('2026-03-29T01:30:00.123Z'); // a DST change in Europe: local time is ambiguous
  const later = new Date(at.getTime() + 60_000);
  const end = new Date(at.getTime() + 7 * 86_400_000);

  beforeAll(async () => {
    // Dates written and read as local time would show up as hours of difference here.
    process.env.TZ = 'America/Los_Angeles';
    ({ store, db } = await createTestDb('refresh-statements'));
    await store.createUser({
      id: 'user-1',
      username: 'ada',
      usernameSkeleton: 'ada',
      passwordHash: 'hash',
      role: 'admin',
      passwordChangedAt: at,
      createdAt: at,
    });
    await store.createSession(
      {
        id: 'session-1',
        userId: 'user-1',
        createdAt: at,
        lastUsedAt: at,
        expiresAt: end,
        userAgent: 'UA',
        ip: null,
        dpopJkt: 'thumbprint',
      },
      { id: 'token-1', issuedAt: at, expiresAt: end },
      { role: 'admin', passwordChangedAt: at },
    );
  });

  afterAll(async () => {
    process.env.TZ = originalTz;
    await store.close();
  });

  it('reads a token Prisma wrote, with its session and user, dates exact', async () => {
    const row = await store.findRefreshToken('token-1');
    expect(row).toMatchObject({
      id: 'token-1',
      sessionId: 'session-1',
      issuedAt: at,
      expiresAt: end,
      usedAt: null,
      replacedById: null,
      session: {
        id: 'session-1',
        userId: 'user-1',
        createdAt: at,
        lastUsedAt: at,
        expiresAt: end,
        revokedAt: null,
        revokedReason: null,
        userAgent: 'UA',
        ip: null,
        dpopJkt: 'thumbprint',
        user: { id: 'user-1', username: 'ada', role: 'admin', disabled: false },
      },
    });
    // Prisma's own reading of the same row, for comparison.
    const viaPrisma = await db.refreshToken.findUnique({
      where: { id: 'token-1' },
      include: { session: { include: { user: true } } },
    });
    expect(row).toEqual(viaPrisma);
  });

  it('returns null for an unknown token', async () => {
    expect(await store.findRefreshToken('no-such-token')).toBeNull();
  });

  it('consumes a token once and writes a successor that Prisma reads back exactly', async () => {
    const rotation = {
      id: 'token-1',
      sessionId: 'session-1',
      successor: { id: 'token-2', issuedAt: later, expiresAt: end },
      at: later,
    };
    expect(await store.rotateRefreshToken(rotation)).toBe(true);
    // The conditional update is the lock: a second consumer gets false and writes nothing.
    expect(await store.rotateRefreshToken({ ...rotation, successor: { ...rotation.successor, id: 'token-3' } })).toBe(
      false,
    );

    expect(await db.refreshToken.findUnique({ where: { id: 'token-1' } })).toMatchObject({
      usedAt: later,
      replacedById: 'token-2',
    });
    expect(await db.refreshToken.findUnique({ where: { id: 'token-2' } })).toMatchObject({
      sessionId: 'session-1',
      issuedAt: later,
      expiresAt: end,
      usedAt: null,
    });
    expect(await db.refreshToken.findUnique({ where: { id: 'token-3' } })).toBeNull();
    expect((await db.session.findUnique({ where: { id: 'session-1' } }))?.lastUsedAt).toEqual(later);
    // And the plain path reads Prisma-compatible dates back from its own writes.
    expect(await store.findRefreshToken('token-1')).toMatchObject({ usedAt: later, replacedById: 'token-2' });
  });

  it('sees what Prisma changed since: a revoked session and a disabled user', async () => {
    await db.session.update({ where: { id: 'session-1' }, data: { revokedAt: later, revokedReason: 'logout' } });
    await db.user.update({ where: { id: 'user-1' }, data: { disabled: true } });
    const row = await store.findRefreshToken('token-2');
    expect(row?.session).toMatchObject({ revokedAt: later, revokedReason: 'logout' });
    expect(row?.session.user.disabled).toBe(true);
  });

  it('writes nothing when the token does not exist', async () => {
    const rotated = await store.rotateRefreshToken({
      id: 'no-such-token',
      sessionId: 'session-1',
      successor: { id: 'token-9', issuedAt: later, expiresAt: end },
      at: later,
    });
    expect(rotated).toBe(false);
    expect(await db.refreshToken.findUnique({ where: { id: 'token-9' } })).toBeNull();
  });
});
