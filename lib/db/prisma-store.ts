/** The Store over Prisma, the same code for SQLite and PostgreSQL (see store.ts). */
import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Connection, TxClient } from './connection';
import type { Provider, Store } from './store';

/** Prisma's unique-constraint violation. */
const UNIQUE_VIOLATION = 'P2002';

const ACTIVE_ADMIN = { role: 'admin', disabled: false } as const;

/** A session that has not ended: not revoked, before its end, and its refresh token not lapsed. */
function live(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now }, refreshExpiresAt: { gt: now } };
}

/**
 * Ends the user's live sessions inside a transaction and logs each for the revocation feed.
 * Returns the ids this call ended: the conditional update decides, so two concurrent calls never
 * both count (or log) the same session.
 */
async function endSessions(tx: TxClient, userId: string, reason: string, at: Date, except?: string) {
  const ended = await tx.session.updateManyAndReturn({
    where: { userId, revokedAt: null, ...(except ? { id: { not: except } } : {}) },
    data: { revokedAt: at, revokedReason: reason },
    select: { id: true },
  });
  const ids = ended.map((session) => session.id);
  if (ids.length > 0) {
    await tx.revocation.createMany({ data: ids.map((sessionId) => ({ sessionId, userId, createdAt: at })) });
  }
  return ids;
}

/**
 * On PostgreSQL, locks one user's row for the rest of the transaction: `update` for a change of
 * the account (disable, reset, role, delete), `share` for a sign-in starting a session. The two
 * conflict, so a session is either created before the change (and ended by it) or checked against
 * the changed account (and not created). SQLite transactions already run one at a time.
 */
async function lockUser(tx: TxClient, provider: Provider, id: string, mode: 'update' | 'share'): Promise<void> {
  if (provider === 'postgresql') {
    await tx.$queryRawUnsafe(`SELECT 1 FROM "User" WHERE "id" = $1 FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`, id);
  }
}

/**
 * Two administrators demoting each other at once must not both succeed. On PostgreSQL the active
 * administrators' rows are locked first, so the second transaction counts after the first commits;
 * SQLite transactions already run one at a time.
 */
async function lockAdmins(tx: TxClient, provider: Provider): Promise<void> {
  if (provider === 'postgresql') {
    await tx.$queryRawUnsafe(`SELECT id FROM "User" WHERE role = 'admin' AND disabled = false FOR UPDATE`);
  }
}

export function createPrismaStore(connection: Connection): Store {
  const { client: db, transaction, provider } = connection;

  return {
    provider: connection.provider,

    countUsers: () => db.user.count(),

    async createUser(user) {
      try {
        return await db.user.create({ data: user });
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        // Which of the two unique names clashed: the username itself, or its look-alike skeleton.
        if (await db.user.findUnique({ where: { username: user.username }, select: { id: true } })) {
          return 'username_taken';
        }
        const lookalike = user.usernameSkeleton
          ? await db.user.findUnique({ where: { usernameSkeleton: user.usernameSkeleton }, select: { username: true } })
          : null;
        if (lookalike) return { confusableWith: lookalike.username };
        if (user.email && (await db.user.findUnique({ where: { email: user.email }, select: { id: true } }))) {
          return 'email_taken';
        }
        throw error;
      }
    },

    usersWithoutSkeleton: () =>
      db.user.findMany({ where: { usernameSkeleton: null }, select: { id: true, username: true } }),

    async setUsernameSkeleton(id, skeleton) {
      try {
        await db.user.updateMany({ where: { id, usernameSkeleton: null }, data: { usernameSkeleton: skeleton } });
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },

    findUserByUsername: (username) => db.user.findUnique({ where: { username } }),

    findUserById: (id) => db.user.findUnique({ where: { id } }),

    async usernamesOf(ids) {
      if (ids.length === 0) return new Map();
      const rows = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true } });
      return new Map(rows.map((row) => [row.id, row.username]));
    },

    listUsers: ({ search, limit }) =>
      db.user.findMany({
        where: search ? { username: { contains: search } } : {},
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      }),

    updateUser: (id, changes, { at, endSessions: reason }) =>
      transaction(async (tx) => {
        await lockAdmins(tx, provider);
        // Sign-ins of this user wait until the change and its session ends are committed.
        await lockUser(tx, provider, id, 'update');
        const before = await tx.user.findUnique({ where: { id } });
        if (!before) return 'not_found' as const;
        const user = await tx.user.update({ where: { id }, data: changes });
        if (before.role === 'admin' && !before.disabled && (await tx.user.count({ where: ACTIVE_ADMIN })) === 0) {
          throw new LastAdmin();
        }
        const endedSessions = reason ? await endSessions(tx, id, reason, at) : [];
        return { user, before, endedSessions };
      }).catch((error: unknown) => {
        if (error instanceof LastAdmin) return 'last_admin' as const;
        throw error;
      }),

    deleteUser: (id, at) =>
      transaction(async (tx) => {
        await lockAdmins(tx, provider);
        // No session can be started for this user between ending its sessions and the delete,
        // so the cascade never removes a session that was not ended (and logged) first.
        await lockUser(tx, provider, id, 'update');
        const user = await tx.user.findUnique({ where: { id } });
        if (!user) return 'not_found' as const;
        if (user.role === 'admin' && !user.disabled && (await tx.user.count({ where: ACTIVE_ADMIN })) <= 1) {
          return 'last_admin' as const;
        }
        const endedSessions = await endSessions(tx, id, 'user_deleted', at);
        // Sessions and tokens go with the user (ON DELETE CASCADE); the log rows stay for the feed.
        await tx.user.delete({ where: { id } });
        return { endedSessions };
      }),

    createSession: (session, account) =>
      transaction(async (tx) => {
        await lockUser(tx, provider, session.userId, 'share');
        const user = await tx.user.findUnique({
          where: { id: session.userId },
          select: { disabled: true, role: true, passwordChangedAt: true },
        });
        // Deleted, disabled, reset or given another role since the sign-in read it: no session.
        if (
          !user ||
          user.disabled ||
          user.role !== account.role ||
          user.passwordChangedAt.getTime() !== account.passwordChangedAt.getTime()
        ) {
          return false;
        }
        await tx.session.create({ data: session });
        return true;
      }),

    // The refresh path and every live check: plain SQL (refresh-statements.ts).
    findSession: (id) => connection.refresh.findSession(id),

    rotateSession: (rotation) => connection.refresh.rotateSession(rotation),

    rotateCurrent: (rotation) => connection.refresh.rotateCurrent(rotation),

    reauthenticateSession: async (id, at, amr) =>
      (await db.session.updateMany({ where: { id, revokedAt: null }, data: { authTime: at, amr } })).count === 1,

    countLiveSessions: (now) => db.session.count({ where: live(now) }),

    listLiveSessions: (userId, now) =>
      db.session.findMany({ where: { userId, ...live(now) }, orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }] }),

    pruneSessions: async (before) =>
      (
        await db.session.deleteMany({
          where: {
            OR: [
              { revokedAt: { lt: before } },
              { expiresAt: { lt: before } },
              { refreshExpiresAt: { lt: before } },
              { refreshExpiresAt: null, lastUsedAt: { lt: before } },
            ],
          },
        })
      ).count,

    revokeUserSessions: (userId, reason, at, except) =>
      transaction((tx) => endSessions(tx, userId, reason, at, except)),

    changePassword: (userId, { passwordHash, at, reason, account }, session) =>
      transaction(async (tx) => {
        // Only the account as the caller found it: not one disabled, reset or re-roled meanwhile
        // (the update takes the row lock that a concurrent change would wait for).
        const { count } = await tx.user.updateMany({
          where: { id: userId, disabled: false, role: account.role, passwordChangedAt: account.passwordChangedAt },
          data: { passwordHash, passwordChangedAt: at },
        });
        if (count !== 1) return null;
        const ended = await endSessions(tx, userId, reason, at);
        await tx.session.create({ data: session });
        return ended;
      }),

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

    rememberDpopProof: (id, expiresAt) => connection.refresh.rememberDpopProof(id, expiresAt),

    pruneDpopProofs: async (before) => (await db.dpopProof.deleteMany({ where: { expiresAt: { lt: before } } })).count,

    revocationsSince: (since) =>
      db.revocation.findMany({ where: { createdAt: { gte: since } }, orderBy: { createdAt: 'asc' } }),

    pruneRevocations: async (before) =>
      (await db.revocation.deleteMany({ where: { createdAt: { lt: before } } })).count,

    throttles: (keys) => db.signInThrottle.findMany({ where: { key: { in: keys } } }),

    async countAttempt(key, at, windowStart) {
      // One statement (INSERT … ON CONFLICT DO UPDATE on both providers): atomic under concurrency.
      const counted = await db.signInThrottle.upsert({
        where: { key },
        create: { key, failures: 1, windowStart: at },
        update: { failures: { increment: 1 } },
      });
      if (counted.windowStart >= windowStart) return counted;
      // The window had run out: start a new one with this attempt; an active lock stays.
      await db.signInThrottle.updateMany({
        where: { key, windowStart: { lt: windowStart } },
        data: { failures: 1, windowStart: at },
      });
      return { ...counted, failures: 1, windowStart: at };
    },

    async uncountAttempt(key) {
      await db.signInThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
    },

    async lockThrottle(key, until) {
      // updateMany: the counter may have been cleared or pruned meanwhile; that is not an error.
      await db.signInThrottle.updateMany({ where: { key }, data: { lockedUntil: until } });
    },

    claimThrottle: async (key, now, until) =>
      (
        await db.signInThrottle.updateMany({
          where: { key, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
          data: { lockedUntil: until },
        })
      ).count === 1,

    async clearThrottle(key) {
      await db.signInThrottle.deleteMany({ where: { key } });
    },

    pruneThrottles: async (before) =>
      (
        await db.signInThrottle.deleteMany({
          where: { windowStart: { lt: before }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: before } }] },
        })
      ).count,

    async recordAudit(event) {
      await db.auditEvent.create({ data: event });
    },

    listAudit: ({ userId, type, before, limit }) =>
      db.auditEvent.findMany({
        where: { ...(userId ? { userId } : {}), ...(type ? { type } : {}), ...(before ? { id: { lt: before } } : {}) },
        orderBy: { id: 'desc' },
        take: limit,
      }),

    pruneAudit: async (before) => (await db.auditEvent.deleteMany({ where: { at: { lt: before } } })).count,

    findTotp: (userId) => db.totpFactor.findUnique({ where: { userId } }),

    usersWithSecondFactor: async (userIds) => {
      const [apps, keys] = await Promise.all([
        db.totpFactor.findMany({
          where: { userId: { in: userIds }, confirmedAt: { not: null } },
          select: { userId: true },
        }),
        db.passkey.findMany({ where: { userId: { in: userIds } }, select: { userId: true }, distinct: ['userId'] }),
      ]);
      return new Set([...apps, ...keys].map((row) => row.userId));
    },

    listPasskeys: async (userId) =>
      (await db.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(passkeyOf),

    async findPasskeyByCredential(credentialId) {
      const row = await db.passkey.findUnique({ where: { credentialId }, include: { user: true } });
      return row ? { ...passkeyOf(row), user: row.user } : null;
    },

    async addPasskey(passkey) {
      try {
        await db.passkey.create({
          data: { ...passkey, publicKey: Buffer.from(passkey.publicKey), counter: BigInt(passkey.counter) },
        });
        return 'added';
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'exists';
        throw error;
      }
    },

    renamePasskey: async (userId, id, name) =>
      (await db.passkey.updateMany({ where: { id, userId }, data: { name } })).count === 1,

    deletePasskey: async (userId, id) => (await db.passkey.deleteMany({ where: { id, userId } })).count === 1,

    usePasskey: async (id, { seen, counter, backedUp, at }) =>
      (
        await db.passkey.updateMany({
          // The stored counter is the lock: a concurrent use of the same value changes nothing.
          where: { id, counter: BigInt(seen) },
          data: { counter: BigInt(counter), backedUp, lastUsedAt: at },
        })
      ).count === 1,

    beginTotp: (userId, secret, at) =>
      transaction(async (tx) => {
        // A set-up and a confirmation of one account take turns (PostgreSQL; SQLite is serial):
        // a restart cannot slip a new secret under a confirmation being committed.
        await lockUser(tx, provider, userId, 'update');
        const existing = await tx.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } });
        if (existing?.confirmedAt) return 'confirmed' as const;
        await tx.totpFactor.upsert({
          where: { userId },
          create: { userId, secret, createdAt: at },
          update: { secret, createdAt: at, lastStep: 0 },
        });
        return 'started' as const;
      }),

    confirmTotp: (userId, { secret, step, at, recoveryCodes }) =>
      transaction(async (tx) => {
        await lockUser(tx, provider, userId, 'update');
        // Only the enrolment this code was checked against, and only once.
        const { count } = await tx.totpFactor.updateMany({
          where: { userId, secret, confirmedAt: null },
          data: { confirmedAt: at, lastStep: step },
        });
        if (count !== 1) return false;
        await tx.recoveryCode.deleteMany({ where: { userId } });
        await tx.recoveryCode.createMany({ data: recoveryRows(userId, recoveryCodes, at) });
        return true;
      }),

    useTotpStep: async (userId, step) =>
      (
        await db.totpFactor.updateMany({
          // The conditional update is the lock: one caller takes a step, and never an earlier one.
          where: { userId, confirmedAt: { not: null }, lastStep: { lt: step } },
          data: { lastStep: step },
        })
      ).count === 1,

    resealTotp: async (userId, from, to) =>
      (await db.totpFactor.updateMany({ where: { userId, secret: from }, data: { secret: to } })).count === 1,

    replaceRecoveryCodes: (userId, codeHashes, at) =>
      transaction(async (tx) => {
        await tx.recoveryCode.deleteMany({ where: { userId } });
        await tx.recoveryCode.createMany({ data: recoveryRows(userId, codeHashes, at) });
      }),

    useRecoveryCode: async (userId, codeHash, at) =>
      (await db.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: at } })).count ===
      1,

    countUnusedRecoveryCodes: (userId) => db.recoveryCode.count({ where: { userId, usedAt: null } }),

    removeSecondFactors: (userId, { at, endSessions: reason, except, passkeys }) =>
      transaction(async (tx) => {
        await lockUser(tx, provider, userId, 'update');
        const { count } = await tx.totpFactor.deleteMany({ where: { userId } });
        const codes = await tx.recoveryCode.deleteMany({ where: { userId } });
        const keys = passkeys ? await tx.passkey.deleteMany({ where: { userId } }) : { count: 0 };
        const removed = count + codes.count + keys.count > 0;
        const endedSessions = removed && reason ? await endSessions(tx, userId, reason, at, except) : [];
        return { removed, endedSessions };
      }),

    async createPendingSignIn(pending) {
      await db.pendingSignIn.create({ data: pending });
    },

    findPendingSignIn: (id) => db.pendingSignIn.findUnique({ where: { id } }),

    async failPendingSignIn(id) {
      const failed = await db.pendingSignIn.updateManyAndReturn({
        where: { id },
        data: { failures: { increment: 1 } },
        select: { failures: true },
      });
      return failed[0]?.failures ?? 0;
    },

    consumePendingSignIn: async (id, now) =>
      (await db.pendingSignIn.deleteMany({ where: { id, expiresAt: { gt: now } } })).count === 1,

    prunePendingSignIns: async (before) =>
      (await db.pendingSignIn.deleteMany({ where: { expiresAt: { lt: before } } })).count,

    async setEmail(userId, email, verified) {
      try {
        const { count } = await db.user.updateMany({
          where: { id: userId },
          data: {
            email,
            emailVerifiedAt: email === null ? null : verified.at,
            emailSetBy: email === null ? null : verified.by,
          },
        });
        return count === 1 ? 'set' : 'not_found';
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'taken';
        throw error;
      }
    },

    findUserByEmail: (email) => db.user.findUnique({ where: { email } }),

    async createSsoLogin(login) {
      await db.ssoLogin.create({ data: login });
    },

    takeSsoLogin: (id, now) =>
      transaction(async (tx) => {
        const login = await tx.ssoLogin.findUnique({ where: { id } });
        if (!login) return null;
        // The delete is the lock: of two concurrent takers, on any instance, one deletes the row.
        const { count } = await tx.ssoLogin.deleteMany({ where: { id, expiresAt: { gt: now } } });
        return count === 1 ? login : null;
      }),

    pruneSsoLogins: async (before) => (await db.ssoLogin.deleteMany({ where: { expiresAt: { lt: before } } })).count,

    findIdentity: (issuer, subject) =>
      db.externalIdentity.findUnique({ where: { issuer_subject: { issuer, subject } }, include: { user: true } }),

    listIdentities: (userId) =>
      db.externalIdentity.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),

    async linkIdentity(identity) {
      try {
        await db.externalIdentity.create({ data: identity });
        return 'linked';
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'in_use';
        throw error;
      }
    },

    unlinkIdentity: (userId, id) =>
      transaction(async (tx) => {
        // A passkey removed or a password cleared at the same time waits (PostgreSQL; SQLite is serial).
        await lockUser(tx, provider, userId, 'update');
        const identity = await tx.externalIdentity.findFirst({ where: { id, userId }, select: { id: true } });
        if (!identity) return 'not_found' as const;
        const user = await tx.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
        const others =
          (await tx.externalIdentity.count({ where: { userId, id: { not: id } } })) +
          (await tx.passkey.count({ where: { userId } }));
        if (others === 0 && !user?.passwordHash) return 'last_way_in' as const;
        await tx.externalIdentity.delete({ where: { id } });
        return 'unlinked' as const;
      }),

    async touchIdentity(id, at, email) {
      await db.externalIdentity.updateMany({ where: { id }, data: { lastUsedAt: at, email } });
    },

    createUserWithIdentity: (user, identity) =>
      transaction(async (tx) => {
        if (
          await tx.externalIdentity.findUnique({
            where: { issuer_subject: { issuer: identity.issuer, subject: identity.subject } },
            select: { id: true },
          })
        ) {
          return 'identity_in_use' as const;
        }
        if (await tx.user.findUnique({ where: { username: user.username }, select: { id: true } })) {
          return 'username_taken' as const;
        }
        const lookalike = user.usernameSkeleton
          ? await tx.user.findUnique({ where: { usernameSkeleton: user.usernameSkeleton }, select: { username: true } })
          : null;
        if (lookalike) return { confusableWith: lookalike.username };
        const created = await tx.user.create({ data: user });
        await tx.externalIdentity.create({ data: identity });
        return created;
      }).catch((error: unknown) => {
        // Created by a concurrent first sign-in of the same identity (or name) on another instance.
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'identity_in_use' as const;
        throw error;
      }),

    async ssoSessions(issuer, { sid, userId }, now) {
      // Never "every session of the provider": a logout names its session or its user.
      if (!sid && !userId) throw new TypeError('ssoSessions needs a sid or a userId');
      return (
        await db.session.findMany({
          where: { ssoIssuer: issuer, ...(sid ? { ssoSid: sid } : {}), ...(userId ? { userId } : {}), ...live(now) },
          select: { id: true },
        })
      ).map((session) => session.id);
    },

    async createEmailToken(token) {
      await db.emailToken.create({ data: token });
    },

    findEmailToken: (id) => db.emailToken.findUnique({ where: { id } }),

    countEmailTokens: (userId, purpose, since) =>
      db.emailToken.count({ where: { userId, purpose, createdAt: { gte: since } } }),

    takeEmailToken: (id, purpose, now) =>
      transaction(async (tx) => {
        const token = await tx.emailToken.findUnique({ where: { id } });
        if (!token || token.purpose !== purpose) return null;
        // The conditional update is the lock: one caller, on any instance, uses a link.
        const { count } = await tx.emailToken.updateMany({
          where: { id, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        });
        return count === 1 ? { ...token, usedAt: now } : null;
      }),

    async voidEmailTokens(userId, purpose, at) {
      await db.emailToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: at } });
    },

    pruneEmailTokens: async (before) =>
      (await db.emailToken.deleteMany({ where: { expiresAt: { lt: before } } })).count,

    async findUserByLogin(login) {
      // An address counts only once it is verified (or set by an administrator).
      const byAddress = () =>
        db.user.findFirst({ where: { email: login.toLowerCase(), emailVerifiedAt: { not: null } } });
      const byName = () => db.user.findUnique({ where: { username: login } });
      // What looks like an address is an address first: a username spelled like someone's address
      // must not take that person's resets.
      if (login.includes('@')) return (await byAddress()) ?? byName();
      return (await byName()) ?? byAddress();
    },

    recordDevice: (userId, deviceHash, browser, at) =>
      transaction(async (tx) => {
        const known = await tx.knownDevice.updateMany({
          where: { userId, deviceHash, browser },
          data: { lastSeenAt: at },
        });
        if (known.count > 0) return 'known' as const;
        const others = await tx.knownDevice.count({ where: { userId } });
        try {
          await tx.knownDevice.create({
            data: { id: randomUUID(), userId, deviceHash, browser, firstSeenAt: at, lastSeenAt: at },
          });
        } catch (error) {
          // The same device signing in twice at once: the other one recorded it.
          if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'known' as const;
          throw error;
        }
        return others === 0 ? ('first' as const) : ('new' as const);
      }),

    async enqueueMail(mail) {
      await db.mailOutbox.create({ data: mail });
    },

    async claimMail(now, until) {
      const due = await db.mailOutbox.findMany({
        where: {
          sentAt: null,
          failedAt: null,
          sendAfter: { lte: now },
          OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }],
        },
        orderBy: [{ sendAfter: 'asc' }, { id: 'asc' }],
        take: 5,
        select: { id: true },
      });
      for (const { id } of due) {
        // The conditional update is the claim: of several instances, one gets each message.
        const { count } = await db.mailOutbox.updateMany({
          where: { id, sentAt: null, failedAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
          data: { claimedUntil: until },
        });
        if (count === 1) return db.mailOutbox.findUnique({ where: { id } });
      }
      return null;
    },

    markMailSent: async (id, claimedUntil, at) =>
      (
        await db.mailOutbox.updateMany({
          where: { id, claimedUntil },
          // What was sent is not kept: the body may hold a single-use link.
          data: { sentAt: at, body: '', claimedUntil: null, lastError: null },
        })
      ).count === 1,

    markMailFailed: async (id, claimedUntil, { error, sendAfter, failedAt }) =>
      (
        await db.mailOutbox.updateMany({
          where: { id, claimedUntil },
          data: {
            attempts: { increment: 1 },
            lastError: error.slice(0, 500),
            sendAfter,
            failedAt,
            claimedUntil: null,
            ...(failedAt ? { body: '' } : {}),
          },
        })
      ).count === 1,

    async mailBacklog(limit) {
      const [waiting, failed, recent] = await Promise.all([
        db.mailOutbox.count({ where: { sentAt: null, failedAt: null } }),
        db.mailOutbox.count({ where: { failedAt: { not: null } } }),
        db.mailOutbox.findMany({
          where: { sentAt: null, OR: [{ failedAt: { not: null } }, { attempts: { gt: 0 } }] },
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          take: limit,
        }),
      ]);
      return { waiting, failed, recent };
    },

    pruneMail: async (sentBefore, failedBefore) =>
      (
        await db.mailOutbox.deleteMany({
          where: { OR: [{ sentAt: { lt: sentBefore } }, { failedAt: { lt: failedBefore } }] },
        })
      ).count,

    async probe(at) {
      await db.healthProbe.findUnique({ where: { id: 1 } });
      await db.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt: at }, update: { checkedAt: at } });
    },

    close: () => connection.close(),
  };
}

/** WebAuthn counters are unsigned 32-bit: stored as BIGINT, a JavaScript number exactly. */
function passkeyOf<T extends { counter: bigint }>(row: T): Omit<T, 'counter'> & { counter: number } {
  return { ...row, counter: Number(row.counter) };
}

function recoveryRows(userId: string, codeHashes: string[], at: Date) {
  return codeHashes.map((codeHash) => ({ id: randomUUID(), userId, codeHash, createdAt: at }));
}

/** Rolls the transaction back when a change would leave no active administrator. */
class LastAdmin extends Error {}
