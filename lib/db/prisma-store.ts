/** The Store over Prisma, the same code for SQLite and PostgreSQL (see store.ts). */
import type { Connection } from './connection';
import type { Store } from './store';

/** Prisma's unique-constraint violation. */
const UNIQUE_VIOLATION = 'P2002';

export function createPrismaStore(connection: Connection): Store {
  const { client: db, transaction } = connection;

  return {
    provider: connection.provider,

    countUsers: () => db.user.count(),

    async createUser(user) {
      try {
        return await db.user.create({ data: user });
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'username_taken';
        throw error;
      }
    },

    findUserByUsername: (username) => db.user.findUnique({ where: { username } }),

    async createSession(session, firstToken) {
      // One statement: the session and its first token exist together or not at all.
      await db.session.create({ data: { ...session, refreshTokens: { create: firstToken } } });
    },

    findSession: (id) => db.session.findUnique({ where: { id }, include: { user: true } }),

    revokeSession: (id, reason, at) =>
      transaction(async (tx) => {
        const { count } = await tx.session.updateMany({
          where: { id, revokedAt: null },
          data: { revokedAt: at, revokedReason: reason },
        });
        if (count !== 1) return false;
        const { userId } = await tx.session.findUniqueOrThrow({ where: { id }, select: { userId: true } });
        // In the same transaction: an ended session is always in the feed every instance reads.
        await tx.revocation.create({ data: { sessionId: id, userId, createdAt: at } });
        return true;
      }),

    findRefreshToken: (id) =>
      db.refreshToken.findUnique({ where: { id }, include: { session: { include: { user: true } } } }),

    findRefreshTokenOnly: (id) => db.refreshToken.findUnique({ where: { id } }),

    rotateRefreshToken: ({ id, sessionId, successor, at }) =>
      transaction(async (tx) => {
        // The conditional update is the lock: exactly one request can move usedAt off NULL.
        const claimed = await tx.refreshToken.updateMany({
          where: { id, usedAt: null },
          data: { usedAt: at, replacedById: successor.id },
        });
        if (claimed.count !== 1) return false;
        await tx.refreshToken.create({ data: { ...successor, sessionId } });
        await tx.session.update({ where: { id: sessionId }, data: { lastUsedAt: at } });
        return true;
      }),

    revocationsSince: (since) =>
      db.revocation.findMany({ where: { createdAt: { gte: since } }, orderBy: { createdAt: 'asc' } }),

    pruneRevocations: async (before) =>
      (await db.revocation.deleteMany({ where: { createdAt: { lt: before } } })).count,

    async probe(at) {
      await db.healthProbe.findUnique({ where: { id: 1 } });
      await db.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt: at }, update: { checkedAt: at } });
    },

    close: () => connection.close(),
  };
}
