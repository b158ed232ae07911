/**
 * Sessions (each the whole state of a chain of refresh tokens): start one at sign-in, check one is
 * still usable, revoke one or all of a user's. Rotation itself lives in rotation.ts.
 */
import 'server-only';
import type { AccountState, NewSession, SessionWithUser } from '../db';
import { AppError } from '../errors';
import { randomId } from '../ids';
import { asRole } from '../users/roles';
import { formatAmr, PASSWORD, type Amr } from './authentication';
import type { AuthDeps, ClientInfo } from './deps';
import { signPair, type TokenPair } from './token-pair';

/** Why a session ended; stored on the row and used to pick the client-facing error code. */
export type RevokeReason = 'logout' | 'token_reused' | 'password_changed' | 'admin' | 'user_revoked' | 'sso_logout';

/** A session's owner as a sign-in read it: the session is created only while this still holds. */
export type SessionOwner = { id: string } & AccountState;

const MAX_USER_AGENT = 512;

type SessionState = {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  user: { disabled: boolean; passwordChangedAt: Date };
};

/**
 * Throws the error a client must see when this session can no longer be used: revoked (by reuse
 * detection or otherwise), past its absolute end, user disabled, or password changed since.
 */
export function assertSessionUsable(session: SessionState, now: Date): void {
  if (session.revokedAt) {
    if (session.revokedReason === 'token_reused') {
      throw new AppError('token_reused', 'this session was ended because a refresh token was used twice');
    }
    throw new AppError('session_revoked', 'this session has been signed out');
  }
  if (session.expiresAt.getTime() <= now.getTime()) {
    throw new AppError('session_revoked', 'this session reached its maximum age; sign in again');
  }
  if (session.user.disabled) {
    // 401 rather than the table's 403: for a refresh, the client must sign out.
    throw new AppError('account_disabled', 'the account is disabled', { status: 401 });
  }
  // Every session that began before a password change is void (The Copenhagen Book).
  if (session.user.passwordChangedAt.getTime() > session.createdAt.getTime()) {
    throw new AppError('session_revoked', 'the password was changed after this session began');
  }
}

/** When a refresh token issued now expires: its own lifetime, but never past its session's absolute end. */
export function refreshTokenExpiry(deps: AuthDeps, now: Date, sessionExpiresAt: Date): Date {
  return new Date(Math.min(now.getTime() + deps.policy.refreshTokenSeconds * 1000, sessionExpiresAt.getTime()));
}

/** How a session began through single sign-on: the provider, its session, its user's sign-in there. */
export type SsoOrigin = { issuer: string; sid: string | null; authTime: Date };

/** The row of a new session at generation 0, starting `now`; bound to a DPoP key or not. */
export function newSession(
  deps: AuthDeps,
  userId: string,
  client: ClientInfo,
  now: Date,
  dpopJkt: string | null = null,
  amr: readonly Amr[] = PASSWORD,
  sso: SsoOrigin | null = null,
): NewSession {
  const expiresAt = new Date(now.getTime() + deps.policy.sessionMaxAgeSeconds * 1000);
  return {
    id: randomId(),
    userId,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    refreshExpiresAt: refreshTokenExpiry(deps, now, expiresAt),
    userAgent: client.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    ip: client.ip,
    dpopJkt,
    // The sign-in is the session's first authentication (re-authentication moves it on); through
    // single sign-on, when the user last proved who they are at the provider.
    authTime: sso ? sso.authTime : now,
    amr: formatAmr(amr),
    ssoIssuer: sso?.issuer ?? null,
    ssoSid: sso?.sid ?? null,
  };
}

/** The session's last authentication: a session from before it was kept counts from its start. */
export function authenticationOf(session: { createdAt: Date; authTime: Date | null; amr: string | null }) {
  return { at: session.authTime ?? session.createdAt, amr: session.amr ?? formatAmr(PASSWORD) };
}

/** Signs the first pair (generation 0) of a session just stored. */
export function firstPair(deps: AuthDeps, user: { id: string; role: string }, session: NewSession): TokenPair {
  return signPair(
    deps,
    { userId: user.id, role: asRole(user.role), sessionId: session.id, auth: authenticationOf(session) },
    { generation: 0, expiresAt: session.refreshExpiresAt, jkt: session.dpopJkt },
  );
}

/**
 * Creates a session and signs its first pair, only while the account is still enabled and as
 * `user` describes it (same role, same password); null when a disable, reset, role change or
 * deletion got there first (store.createSession decides, atomically).
 */
export async function startSession(
  deps: AuthDeps,
  user: SessionOwner,
  client: ClientInfo,
  at = deps.now(),
  dpopJkt: string | null = null,
  amr: readonly Amr[] = PASSWORD,
  sso: SsoOrigin | null = null,
): Promise<{ sessionId: string; pair: TokenPair } | null> {
  const session = newSession(deps, user.id, client, at, dpopJkt, amr, sso);
  if (!(await deps.store.createSession(session, user))) return null;
  return { sessionId: session.id, pair: firstPair(deps, user, session) };
}

/**
 * Revokes one session; true if it was live. Idempotent: the first reason recorded stays. Its access
 * tokens stop here at once and on other instances within the feed's polling interval.
 */
// Rule 5: every way a session ends comes here, and the database decides once that it ended.
export async function revokeSession(deps: AuthDeps, sessionId: string, reason: RevokeReason): Promise<boolean> {
  const at = deps.now();
  const revoked = await deps.store.revokeSession(sessionId, reason, at);
  deps.revocations.add(sessionId, at);
  if (revoked) deps.events.sessionsEnded(reason, 1);
  return revoked;
}

/** Makes sessions a user-wide event ended (already logged by the store) effective here at once. */
export function sessionsEnded(deps: AuthDeps, sessionIds: string[], reason: string, at: Date): void {
  for (const id of sessionIds) deps.revocations.add(id, at);
  if (sessionIds.length > 0) deps.events.sessionsEnded(reason, sessionIds.length);
}

/** The live session behind an access token, with its user; throws when it has ended. */
export async function requireLiveSession(
  deps: AuthDeps,
  identity: { userId: string; sessionId: string },
): Promise<SessionWithUser> {
  const session = await deps.store.findSession(identity.sessionId);
  // A deleted (and maybe re-created) user takes its sessions with it: the old token matches nothing.
  if (!session || session.userId !== identity.userId) {
    throw new AppError('invalid_token', 'the session for this token no longer exists');
  }
  assertSessionUsable(session, deps.now());
  return session;
}
