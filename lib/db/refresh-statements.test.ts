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
        refreshExpiresAt: end,
        userAgent: 'UA',
        ip: null,
        dpopJkt: 'thumbprint',
        authTime: at,
        amr: 'pwd otp mfa',
      },
      { role: 'admin', passwordChangedAt: at },
    );
  });

  afterAll(async () => {
    process.env.TZ = originalTz;
    await store.close();
  });

  it('reads a session Prisma wrote, with its user, dates exact', async () => {
    const row = await store.findSession('session-1');
    expect(row).toMatchObject({
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
      generation: 0,
      rotatedAt: null,
      refreshExpiresAt: end,
      legacyJti: null,
      authTime: at,
      amr: 'pwd otp mfa',
      user: { id: 'user-1', username: 'ada', role: 'admin', disabled: false },
    });
    // Prisma's own reading of the same row, for comparison.
    const viaPrisma = await db.session.findUnique({ where: { id: 'session-1' }, include: { user: true } });
    expect(row).toEqual(viaPrisma);
  });

  it('returns null for an unknown session', async () => {
    expect(await store.findSession('no-such-session')).toBeNull();
  });

  it('rotates a generation once, in a row Prisma reads back exactly', async () => {
    const rotation = { sessionId: 'session-1', generation: 0, at: later, refreshExpiresAt: end };
    expect(await store.rotateSession(rotation)).toBe(true);
    // The conditional update is the lock: a second rotation of generation 0 gets false, changes nothing.
    expect(await store.rotateSession({ ...rotation, at: end })).toBe(false);

    expect(await db.session.findUnique({ where: { id: 'session-1' } })).toMatchObject({
      generation: 1,
      rotatedAt: later,
      lastUsedAt: later,
      refreshExpiresAt: end,
    });
    // And the plain path reads Prisma-compatible dates back from its own writes.
    expect(await store.findSession('session-1')).toMatchObject({ generation: 1, rotatedAt: later });
  });

  it('sees what Prisma changed since: a revoked session and a disabled user', async () => {
    await db.session.update({ where: { id: 'session-1' }, data: { revokedAt: later, revokedReason: 'logout' } });
    await db.user.update({ where: { id: 'user-1' }, data: { disabled: true } });
    const row = await store.findSession('session-1');
    expect(row).toMatchObject({ revokedAt: later, revokedReason: 'logout' });
    expect(row?.user.disabled).toBe(true);
  });

  it('rotates nothing of an ended session or of one that does not exist', async () => {
    expect(await store.rotateSession({ sessionId: 'session-1', generation: 1, at: end, refreshExpiresAt: end })).toBe(
      false,
    );
    expect((await db.session.findUnique({ where: { id: 'session-1' } }))?.generation).toBe(1);
    expect(
      await store.rotateSession({ sessionId: 'no-such-session', generation: 0, at: end, refreshExpiresAt: end }),
    ).toBe(false);
  });

  describe('the one-statement rotation of a current session', () => {
    const start = new Date(at.getTime() + 86_400_000);
    const sessionEnd = new Date(start.getTime() + 3 * 86_400_000);
    const base = { userId: 'user-2', dpopJkt: null, generation: 0, at: start };

    beforeAll(async () => {
      await store.createUser({
        id: 'user-2',
        username: 'grace',
        usernameSkeleton: 'grace',
        passwordHash: 'hash',
        role: 'user',
        passwordChangedAt: at,
        createdAt: at,
      });
      for (const id of ['current-1', 'current-2']) {
        await store.createSession(
          {
            id,
            userId: 'user-2',
            createdAt: start,
            lastUsedAt: start,
            expiresAt: sessionEnd,
            refreshExpiresAt: sessionEnd,
            userAgent: null,
            ip: null,
            dpopJkt: id === 'current-2' ? 'key-2' : null,
            authTime: start,
            amr: 'pwd',
          },
          { role: 'user', passwordChangedAt: at },
        );
      }
    });

    it('rotates when everything holds, capping the expiry at the session end, and says the role', async () => {
      const later = new Date(start.getTime() + 1000);
      const rotated = await store.rotateCurrent({
        ...base,
        sessionId: 'current-1',
        at: later,
        refreshExpiresAt: new Date(sessionEnd.getTime() + 86_400_000),
      });
      // The session's authentication goes with it unchanged: a refresh is not a new one.
      expect(rotated).toEqual({ role: 'user', refreshExpiresAt: sessionEnd, authTime: start, amr: 'pwd' });
      expect(await db.session.findUnique({ where: { id: 'current-1' } })).toMatchObject({
        generation: 1,
        rotatedAt: later,
        lastUsedAt: later,
        refreshExpiresAt: sessionEnd,
      });
    });

    it('changes nothing when any one thing does not hold', async () => {
      const soon = new Date(start.getTime() + 3600_000);
      const attempts = [
        { ...base, sessionId: 'current-1', refreshExpiresAt: soon }, // generation 0 is gone
        { ...base, sessionId: 'current-1', generation: 1, userId: 'user-1', refreshExpiresAt: soon }, // another user
        { ...base, sessionId: 'current-2', refreshExpiresAt: soon }, // bound, presented unbound
        { ...base, sessionId: 'current-2', dpopJkt: 'key-other', refreshExpiresAt: soon }, // another key
        { ...base, sessionId: 'current-1', generation: 1, at: sessionEnd, refreshExpiresAt: soon }, // past its end
        { ...base, sessionId: 'no-such-session', refreshExpiresAt: soon },
      ];
      for (const attempt of attempts) expect(await store.rotateCurrent(attempt)).toBeNull();
      expect((await db.session.findUnique({ where: { id: 'current-2' } }))?.generation).toBe(0);
      expect((await db.session.findUnique({ where: { id: 'current-1' } }))?.generation).toBe(1);

      // A bound session rotates with its own key.
      const bound = { ...base, sessionId: 'current-2', dpopJkt: 'key-2', refreshExpiresAt: soon };
      expect(await store.rotateCurrent(bound)).toEqual({
        role: 'user',
        refreshExpiresAt: soon,
        authTime: start,
        amr: 'pwd',
      });
    });

    it('refuses a disabled account, a password changed since the session began, an ended session', async () => {
      const soon = new Date(start.getTime() + 3600_000);
      const attempt = { ...base, sessionId: 'current-1', generation: 1, refreshExpiresAt: soon };
      await db.user.update({ where: { id: 'user-2' }, data: { disabled: true } });
      expect(await store.rotateCurrent(attempt)).toBeNull();
      await db.user.update({
        where: { id: 'user-2' },
        data: { disabled: false, passwordChangedAt: new Date(start.getTime() + 1) },
      });
      expect(await store.rotateCurrent(attempt)).toBeNull();
      await db.user.update({ where: { id: 'user-2' }, data: { passwordChangedAt: at } });
      await db.session.update({ where: { id: 'current-1' }, data: { revokedAt: start, revokedReason: 'logout' } });
      expect(await store.rotateCurrent(attempt)).toBeNull();
      expect((await db.session.findUnique({ where: { id: 'current-1' } }))?.generation).toBe(1);
    });
  });
});
