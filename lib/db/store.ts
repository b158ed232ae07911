/**
 * The store: every query the app makes, behind one narrow interface. Nothing outside lib/db sees
 * Prisma, SQL or a provider; the same interface runs on SQLite and PostgreSQL (prisma-store.ts).
 * Operations that must be atomic are one method each, done in one transaction by the store.
 */
import 'server-only';
export type Provider = 'sqlite' | 'postgresql';

export type UserRecord = {
  id: string;
  username: string;
  /** The username's look-alike skeleton (lib/users/username.ts); unique among accounts. */
  usernameSkeleton: string | null;
  /** Empty for an account that has no password (created through single sign-on). */
  passwordHash: string;
  /** Lower-cased; trusted for anything only with `emailVerifiedAt`. */
  email: string | null;
  emailVerifiedAt: Date | null;
  /** Who vouched for the address: 'admin', 'user' (followed its link) or 'provider' (at creation). */
  emailSetBy: string | null;
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
  /** DPoP: the thumbprint of the key every refresh must prove; null for an unbound session. */
  dpopJkt: string | null;
  /** The generation of the refresh token that may rotate now (docs/design.md, rules 1-3). */
  generation: number;
  /** When the rotation that made `generation` current happened; null while it is the first. */
  rotatedAt: Date | null;
  /** When the current refresh token expires; null: the session has none (it ended long ago). */
  refreshExpiresAt: Date | null;
  /** The jti of the current token (generation 0) and its predecessor (-1) before the upgrade. */
  legacyJti: string | null;
  legacyPreviousJti: string | null;
  /** The last authentication in this session (sign-in or re-authentication); null: `createdAt`. */
  authTime: Date | null;
  /** How, as RFC 8176 method references separated by spaces ("pwd otp mfa"); null: "pwd". */
  amr: string | null;
  /** Single sign-on: the OpenID Provider's issuer, and its session id (`sid`) if it sent one. */
  ssoIssuer: string | null;
  ssoSid: string | null;
};

export type SessionWithUser = SessionRecord & { user: UserRecord };

export type RevocationRecord = { id: number; sessionId: string; userId: string; createdAt: Date };

export type ThrottleRecord = { key: string; failures: number; windowStart: Date; lockedUntil: Date | null };

export type AuditRecord = {
  id: number;
  at: Date;
  type: string;
  userId: string | null;
  actorId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: string | null;
};
export type NewAuditEvent = Omit<AuditRecord, 'id'>;

export type UserChanges = Partial<Pick<UserRecord, 'disabled' | 'role' | 'passwordHash' | 'passwordChangedAt'>>;

export type NewUser = Pick<
  UserRecord,
  'id' | 'username' | 'usernameSkeleton' | 'passwordHash' | 'role' | 'passwordChangedAt' | 'createdAt'
> &
  Partial<Pick<UserRecord, 'email' | 'emailVerifiedAt' | 'emailSetBy'>>;
/** What a session is started for: the account as the sign-in found it when its check began. */
export type AccountState = Pick<UserRecord, 'role' | 'passwordChangedAt'>;
/** A session starts at generation 0 with its first refresh token, which expires at `refreshExpiresAt`. */
export type NewSession = Pick<
  SessionRecord,
  'id' | 'userId' | 'createdAt' | 'lastUsedAt' | 'expiresAt' | 'userAgent' | 'ip' | 'dpopJkt'
> & { refreshExpiresAt: Date; authTime: Date; amr: string } & Partial<Pick<SessionRecord, 'ssoIssuer' | 'ssoSid'>>;
/** A rotation of one session from `generation` to the next, at `at`. */
export type Rotation = { sessionId: string; generation: number; at: Date; refreshExpiresAt: Date };
/**
 * A rotation of a session that is, as the token says, live and current: of this user, bound to
 * this key (or none), at this generation, not ended, its account enabled and its password not
 * changed since it began. `refreshExpiresAt` is capped at the session's end.
 */
export type CurrentRotation = Rotation & { userId: string; dpopJkt: string | null };
/** What a rotation hands the new tokens: the role now, and the session's authentication. */
export type Rotated = { role: string; refreshExpiresAt: Date; authTime: Date; amr: string };

/** A user's authenticator app (TOTP): the sealed secret, and the last time step it was used for. */
export type TotpRecord = {
  userId: string;
  secret: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastStep: number;
};

/** A user's passkey (WebAuthn credential). */
export type PasskeyRecord = {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string | null;
  deviceType: string;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
};

/** A sign-in waiting for its second factor (lib/auth/second-factor/pending.ts). */
export type PendingSignInRecord = {
  id: string;
  userId: string;
  startedAt: Date;
  expiresAt: Date;
  role: string;
  passwordChangedAt: Date;
  dpopJkt: string | null;
  failures: number;
  /** The first step's methods when not a password (formatted amr), and its provider's session. */
  firstAmr: string | null;
  ssoIssuer: string | null;
  ssoSid: string | null;
};

/** An account's identity at an OpenID Provider: its issuer and subject (lib/auth/sso). */
export type IdentityRecord = {
  id: string;
  userId: string;
  issuer: string;
  subject: string;
  email: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
};

/** A sign-in, link or re-authentication through the OpenID Provider, between redirect and return. */
export type SsoLoginRecord = {
  id: string;
  intent: string;
  nonce: string;
  codeVerifier: string;
  next: string | null;
  binding: string;
  sessionId: string | null;
  createdAt: Date;
  expiresAt: Date;
};

/** A single-use link sent by e-mail (lib/auth/email): only its hash (`id`) is stored. */
export type EmailTokenRecord = {
  id: string;
  purpose: string;
  userId: string;
  email: string | null;
  passwordChangedAt: Date | null;
  sessionId: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
};

/** A message in the outbox (lib/mail): `body` is sealed. */
export type MailRecord = {
  id: string;
  to: string;
  subject: string;
  body: string;
  kind: string;
  userId: string | null;
  createdAt: Date;
  sendAfter: Date;
  claimedUntil: Date | null;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  failedAt: Date | null;
};
export type NewMail = Pick<
  MailRecord,
  'id' | 'to' | 'subject' | 'body' | 'kind' | 'userId' | 'createdAt' | 'sendAfter'
>;

export interface Store {
  readonly provider: Provider;

  countUsers(): Promise<number>;
  /**
   * 'username_taken' when another account has this (normalised) username; `confusableWith` names
   * the account whose name has the same look-alike skeleton.
   */
  createUser(user: NewUser): Promise<UserRecord | 'username_taken' | 'email_taken' | { confusableWith: string }>;
  /** Accounts from before skeletons were kept, whose skeleton is still to be filled in. */
  usersWithoutSkeleton(): Promise<Pick<UserRecord, 'id' | 'username'>[]>;
  /** False when another account already has this skeleton (nothing changed). */
  setUsernameSkeleton(id: string, skeleton: string): Promise<boolean>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  /** The usernames of these accounts (those that still exist). */
  usernamesOf(ids: string[]): Promise<Map<string, string>>;
  findUserById(id: string): Promise<UserRecord | null>;
  /** Oldest first; `search` matches part of the username. */
  listUsers(options: { search?: string; limit: number }): Promise<UserRecord[]>;
  /**
   * Changes a user and, with `endSessions`, ends every live session of theirs (logged for the
   * revocation feed), in one transaction; `before` is the user as that transaction found it (so
   * of two concurrent identical changes, only the first sees a change). 'last_admin' (nothing
   * changed) when it would leave no active administrator; 'not_found' when there is no such user.
   */
  updateUser(
    id: string,
    changes: UserChanges,
    options: { at: Date; endSessions?: string },
  ): Promise<{ user: UserRecord; before: UserRecord; endedSessions: string[] } | 'last_admin' | 'not_found'>;
  /** Ends the user's sessions (logged), then deletes the user and everything of theirs. */
  deleteUser(id: string, at: Date): Promise<{ endedSessions: string[] } | 'last_admin' | 'not_found'>;

  /**
   * A session, only if the account is still as `account` says and enabled: checked and written in
   * one transaction that a concurrent disable, password reset, role change or deletion waits for
   * (or that waits for it), so a sign-in racing one of them either ends up among the sessions it
   * ends or creates nothing. False when nothing was created.
   */
  createSession(session: NewSession, account: AccountState): Promise<boolean>;
  /** A session with its user: one query (the refresh path and every live check read it). */
  findSession(id: string): Promise<SessionWithUser | null>;
  /**
   * Moves a live session from `generation` to the next, in one conditional update of its row: the
   * update is the lock, so exactly one caller, on any instance, can rotate a generation. False
   * for the others, and for a session that ended or no longer exists.
   */
  rotateSession(rotation: Rotation): Promise<boolean>;
  /**
   * The common refresh in one statement: rotates the session only if everything `rotation` says
   * of it holds, checked in the same conditional update. The role and the token's expiry, or null
   * when anything does not hold (then nothing changed, and the caller looks closer).
   */
  rotateCurrent(rotation: CurrentRotation): Promise<Rotated | null>;
  /**
   * Records a fresh authentication in a live session (re-authentication): its `authTime` and how;
   * false when the session has ended. Nothing else of the session changes.
   */
  reauthenticateSession(id: string, at: Date, amr: string): Promise<boolean>;
  /** How many sessions have not ended (all users), for the metrics. */
  countLiveSessions(now: Date): Promise<number>;
  /** The user's sessions that have not ended (nor lapsed unused), most recently used first. */
  listLiveSessions(userId: string, now: Date): Promise<SessionRecord[]>;
  /** Deletes the sessions that ended (revoked, past their end, or lapsed unused) before `before`. */
  pruneSessions(before: Date): Promise<number>;
  /**
   * Ends every live session of the user but `except`, logged for the feed; returns the ids this
   * call ended (a concurrent call that ended one first has it, not this one).
   */
  revokeUserSessions(userId: string, reason: string, at: Date, except?: string): Promise<string[]>;
  /**
   * A password change in one step: the new hash and `passwordChangedAt`, every session of the user
   * ended, and a new session for the device that made the change. Null (nothing changed) when the
   * account is no longer as `account` says, or disabled.
   */
  changePassword(
    userId: string,
    change: { passwordHash: string; at: Date; reason: string; account: AccountState },
    session: NewSession,
  ): Promise<string[] | null>;
  /**
   * Ends a live session and records it in the revocation log, atomically; false when it had already
   * ended (the first reason recorded stays).
   */
  revokeSession(id: string, reason: string, at: Date): Promise<boolean>;

  /**
   * Records a DPoP proof id as used; false when it already was (a replayed proof). One statement,
   * atomic on every instance.
   */
  rememberDpopProof(id: string, expiresAt: Date): Promise<boolean>;
  pruneDpopProofs(before: Date): Promise<number>;

  /** Revocations recorded at or after `since`, oldest first (the feed re-reads a little overlap). */
  revocationsSince(since: Date): Promise<RevocationRecord[]>;
  pruneRevocations(before: Date): Promise<number>;

  throttles(keys: string[]): Promise<ThrottleRecord[]>;
  /**
   * Counts one attempt in a single atomic statement (concurrent attempts each see their own
   * count); a new window when the last one began before `windowStart`, keeping any active lock.
   */
  countAttempt(key: string, at: Date, windowStart: Date): Promise<ThrottleRecord>;
  /** Takes back one counted attempt (it succeeded). */
  uncountAttempt(key: string): Promise<void>;
  lockThrottle(key: string, until: Date): Promise<void>;
  /**
   * Takes the one attempt a counter over its limit allows once its lock has run out: sets
   * `lockedUntil` only if no lock is active, atomically. True for exactly one of concurrent callers.
   */
  claimThrottle(key: string, now: Date, until: Date): Promise<boolean>;
  clearThrottle(key: string): Promise<void>;
  pruneThrottles(before: Date): Promise<number>;

  recordAudit(event: NewAuditEvent): Promise<void>;
  /** Newest first; `before` is the id cursor of the previous page. */
  listAudit(filter: { userId?: string; type?: string; before?: number; limit: number }): Promise<AuditRecord[]>;
  pruneAudit(before: Date): Promise<number>;

  /** Which of these users have a second factor: a confirmed authenticator app or a passkey. */
  usersWithSecondFactor(userIds: string[]): Promise<Set<string>>;

  /** Oldest first. */
  listPasskeys(userId: string): Promise<PasskeyRecord[]>;
  findPasskeyByCredential(credentialId: string): Promise<(PasskeyRecord & { user: UserRecord }) | null>;
  /** 'exists' (nothing changed) when this credential is already registered, to anyone. */
  addPasskey(passkey: PasskeyRecord): Promise<'added' | 'exists'>;
  renamePasskey(userId: string, id: string, name: string): Promise<boolean>;
  deletePasskey(userId: string, id: string): Promise<boolean>;
  /**
   * Records a use: the new counter, backup state and time, only if the stored counter is still
   * `seen` (of two concurrent uses of one counter value, one wins).
   */
  usePasskey(id: string, use: { seen: number; counter: number; backedUp: boolean; at: Date }): Promise<boolean>;
  /** The user's authenticator app, confirmed or still enrolling; null when there is none. */
  findTotp(userId: string): Promise<TotpRecord | null>;
  /**
   * Starts an enrolment with this sealed secret, replacing an unconfirmed one; 'confirmed' (nothing
   * changed) when the user already has a confirmed authenticator.
   */
  beginTotp(userId: string, secret: string, at: Date): Promise<'started' | 'confirmed'>;
  /**
   * Confirms the enrolment whose secret is `secret` with the code of time step `step`, and gives
   * the user these recovery codes (replacing any), in one transaction; false when there is no
   * such unconfirmed enrolment (confirmed meanwhile, or replaced by another).
   */
  confirmTotp(
    userId: string,
    change: { secret: string; step: number; at: Date; recoveryCodes: string[] },
  ): Promise<boolean>;
  /**
   * Takes a time step of the user's confirmed authenticator: true for exactly one caller, on any
   * instance, and only for a step later than every one taken before (a code is accepted once).
   */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /** Replaces the sealed secret `from` with `to` (the same key, sealed anew); false if it changed meanwhile. */
  resealTotp(userId: string, from: string, to: string): Promise<boolean>;
  /** Hashes of the user's recovery codes: replaces the whole set (the old codes stop working). */
  replaceRecoveryCodes(userId: string, codeHashes: string[], at: Date): Promise<void>;
  /** Uses one unused recovery code: true for exactly one caller. */
  useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  /**
   * Removes the user's authenticator app and recovery codes and, with `endSessions`, ends their
   * sessions (logged for the feed), in one transaction. False when there was nothing to remove.
   */
  removeSecondFactors(
    userId: string,
    options: { at: Date; endSessions?: string; except?: string; passkeys?: boolean },
  ): Promise<{ removed: boolean; endedSessions: string[] }>;

  createPendingSignIn(pending: Omit<PendingSignInRecord, 'failures'>): Promise<void>;
  findPendingSignIn(id: string): Promise<PendingSignInRecord | null>;
  /** Counts a wrong code against a pending sign-in; the failures so far (0: it no longer exists). */
  failPendingSignIn(id: string): Promise<number>;
  /** Takes a pending sign-in that has not expired, once: true for exactly one caller. */
  consumePendingSignIn(id: string, now: Date): Promise<boolean>;
  prunePendingSignIns(before: Date): Promise<number>;

  /**
   * Sets (or with null, removes) the account's e-mail address, lower-cased by the caller; 'taken'
   * when another account has it (nothing changed).
   */
  setEmail(
    userId: string,
    email: string | null,
    verified: { at: Date; by: 'admin' | 'user' },
  ): Promise<'set' | 'taken' | 'not_found'>;
  findUserByEmail(email: string): Promise<UserRecord | null>;

  createSsoLogin(login: SsoLoginRecord): Promise<void>;
  /** Takes a pending single sign-on that has not expired: the row for exactly one caller, deleted. */
  takeSsoLogin(id: string, now: Date): Promise<SsoLoginRecord | null>;
  pruneSsoLogins(before: Date): Promise<number>;
  findIdentity(issuer: string, subject: string): Promise<(IdentityRecord & { user: UserRecord }) | null>;
  /** Oldest first. */
  listIdentities(userId: string): Promise<IdentityRecord[]>;
  /** 'in_use' when this issuer and subject are linked already (to this account or another). */
  linkIdentity(identity: IdentityRecord): Promise<'linked' | 'in_use'>;
  /**
   * Unlinks one of the user's identities, unless nothing else would let them in (no password, no
   * passkey, no other identity): checked and done in one transaction.
   */
  unlinkIdentity(userId: string, id: string): Promise<'unlinked' | 'not_found' | 'last_way_in'>;
  /** Records a sign-in through the identity, and the e-mail address the provider said. */
  touchIdentity(id: string, at: Date, email: string | null): Promise<void>;
  /** A new account and its identity, together or not at all. */
  createUserWithIdentity(
    user: NewUser,
    identity: IdentityRecord,
  ): Promise<UserRecord | 'username_taken' | 'identity_in_use' | { confusableWith: string }>;
  /**
   * Live sessions that signed in through `issuer`: those of its session `sid`, or (without one)
   * every one of `userId`'s; with both, those of `sid` that are `userId`'s.
   */
  ssoSessions(issuer: string, match: { sid?: string; userId?: string }, now: Date): Promise<string[]>;

  createEmailToken(token: Omit<EmailTokenRecord, 'usedAt'>): Promise<void>;
  /** A link as it is now (used or not), without using it. */
  findEmailToken(id: string): Promise<EmailTokenRecord | null>;
  /** How many links of a purpose the user was sent since `since` (a cap on mail to one inbox). */
  countEmailTokens(userId: string, purpose: string, since: Date): Promise<number>;
  /** Uses a link that is unused and unexpired, for `purpose`: the row for exactly one caller. */
  takeEmailToken(id: string, purpose: string, now: Date): Promise<EmailTokenRecord | null>;
  /** Voids the user's unused links of a purpose (a newer one replaces them). */
  voidEmailTokens(userId: string, purpose: string, at: Date): Promise<void>;
  pruneEmailTokens(before: Date): Promise<number>;
  /** The account a login names: its username, or its verified e-mail address. */
  findUserByLogin(login: string): Promise<UserRecord | null>;

  /**
   * Records a sign-in from a device: 'known' (seen before: last seen now), 'first' (the account's
   * first device: recorded), or 'new' (recorded now, another device was known).
   */
  recordDevice(userId: string, deviceHash: string, browser: string, at: Date): Promise<'known' | 'first' | 'new'>;

  enqueueMail(mail: NewMail): Promise<void>;
  /**
   * Claims one message that is due (not sent, not given up, not claimed by a live claim) until
   * `until`, atomically on every instance: the claimed row, or null when none is due.
   */
  claimMail(now: Date, until: Date): Promise<MailRecord | null>;
  /** Records a send by the claim `claimedUntil` names (and empties the body): false if the claim was lost. */
  markMailSent(id: string, claimedUntil: Date, at: Date): Promise<boolean>;
  /** Records a failed attempt: retried from `sendAfter`, or given up (`failedAt`). */
  markMailFailed(
    id: string,
    claimedUntil: Date,
    failure: { error: string; sendAfter: Date; failedAt: Date | null },
  ): Promise<boolean>;
  /** Messages waiting (due or retrying) and given up, newest first, for administrators. */
  mailBacklog(limit: number): Promise<{ waiting: number; failed: number; recent: MailRecord[] }>;
  pruneMail(sentBefore: Date, failedBefore: Date): Promise<number>;

  /** Reads and writes one row: proof that the database accepts both (health checks). */
  probe(at: Date): Promise<void>;
  close(): Promise<void>;
}
