/**
 * The store: every query the app makes, behind one narrow interface. Nothing outside lib/db sees
 * Prisma, SQL or a provider; the same interface runs on SQLite and PostgreSQL (prisma-store.ts).
 * Operations that must be atomic are one method each, done in one transaction by the store.
 */
export type Provider = 'sqlite' | 'postgresql';

export type UserRecord = {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  disabled: boolean;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
};

export type SessionRecord = {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
};

export type SessionWithUser = SessionRecord & { user: UserRecord };

export type RefreshTokenRecord = {
  id: string;
  sessionId: string;
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  replacedById: string | null;
};

export type RevocationRecord = { id: number; sessionId: string; userId: string; createdAt: Date };

export type NewUser = Pick<UserRecord, 'id' | 'username' | 'passwordHash' | 'role' | 'passwordChangedAt' | 'createdAt'>;
export type NewSession = Omit<SessionRecord, 'revokedAt' | 'revokedReason'>;
export type NewRefreshToken = Pick<RefreshTokenRecord, 'id' | 'issuedAt' | 'expiresAt'>;

export interface Store {
  readonly provider: Provider;

  countUsers(): Promise<number>;
  /** 'username_taken' when another account has this (normalised) username. */
  createUser(user: NewUser): Promise<UserRecord | 'username_taken'>;
  findUserByUsername(username: string): Promise<UserRecord | null>;

  /** A session and its first refresh token, together. */
  createSession(session: NewSession, firstToken: NewRefreshToken): Promise<void>;
  findSession(id: string): Promise<SessionWithUser | null>;
  /**
   * Ends a live session and records it in the revocation log, atomically; false when it had already
   * ended (the first reason recorded stays).
   */
  revokeSession(id: string, reason: string, at: Date): Promise<boolean>;

  findRefreshToken(id: string): Promise<(RefreshTokenRecord & { session: SessionWithUser }) | null>;
  findRefreshTokenOnly(id: string): Promise<RefreshTokenRecord | null>;
  /**
   * Consumes an unused refresh token and writes its successor, atomically. The conditional update is
   * the lock: exactly one caller, on any instance, can move `usedAt` off NULL. False for the others.
   */
  rotateRefreshToken(rotation: {
    id: string;
    sessionId: string;
    successor: NewRefreshToken;
    at: Date;
  }): Promise<boolean>;

  /** Revocations recorded at or after `since`, oldest first (the feed re-reads a little overlap). */
  revocationsSince(since: Date): Promise<RevocationRecord[]>;
  pruneRevocations(before: Date): Promise<number>;

  /** Reads and writes one row: proof that the database accepts both (health checks). */
  probe(at: Date): Promise<void>;
  close(): Promise<void>;
}
