/**
 * A user's own sessions: list them (with "this device"), end one, end all others. Ending a session
 * stops its refresh token at once and its access tokens through the revocation feed.
 */
import 'server-only';
import type { SessionView } from '../api/auth';
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { sessionMethod } from './authentication';
import type { AuthDeps, ClientInfo } from './deps';
import { describeDevice } from '../api/device';
import { revokeSession, sessionsEnded } from './sessions';

/** The user asking, from the session they ask from. */
type Requester = { userId: string; sessionId: string; client: ClientInfo };

export async function listSessions(
  deps: AuthDeps,
  requester: Pick<Requester, 'userId' | 'sessionId'>,
): Promise<SessionView[]> {
  const sessions = await deps.store.listLiveSessions(requester.userId, deps.now());
  return sessions.map((session) => ({
    id: session.id,
    current: session.id === requester.sessionId,
    device: describeDevice(session.userAgent),
    userAgent: session.userAgent,
    ip: session.ip,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    keyBound: session.dpopJkt !== null,
    method: sessionMethod(session, deps.policy.sso),
  }));
}

/** Ends one of the caller's own sessions; 404 for anything else (never reveals others' ids). */
export async function endOwnSession(deps: AuthDeps, requester: Requester, sessionId: string): Promise<void> {
  const session = await deps.store.findSession(sessionId);
  if (session && session.userId !== requester.userId) {
    // Someone else's session: the same 404 as for none, but on record (it names another account's).
    await recordEvent(
      deps.store,
      {
        type: 'access.denied',
        userId: requester.userId,
        sessionId: requester.sessionId,
        client: requester.client,
        detail: { action: "end another account's session" },
      },
      deps.now(),
    );
  }
  if (!session || session.userId !== requester.userId || session.revokedAt) {
    throw new AppError('not_found', 'there is no such session of yours');
  }
  // Decided once: of concurrent requests to end it, only the one that ended it answers 204.
  if (!(await revokeSession(deps, sessionId, 'user_revoked'))) {
    throw new AppError('not_found', 'there is no such session of yours');
  }
  await recordEvent(
    deps.store,
    {
      type: 'session.revoked',
      userId: requester.userId,
      actorId: requester.userId,
      sessionId,
      client: requester.client,
      detail: { reason: sessionId === requester.sessionId ? 'logout' : 'user_revoked' },
    },
    deps.now(),
  );
}

/** "Sign out everywhere else": ends every session of the caller but this one. */
export async function endOtherSessions(deps: AuthDeps, requester: Requester): Promise<number> {
  const at = deps.now();
  const ended = await deps.store.revokeUserSessions(requester.userId, 'user_revoked', at, requester.sessionId);
  sessionsEnded(deps, ended, 'user_revoked', at);
  if (ended.length > 0) {
    await recordEvent(
      deps.store,
      {
        type: 'session.revoked',
        userId: requester.userId,
        actorId: requester.userId,
        sessionId: requester.sessionId,
        client: requester.client,
        detail: { reason: 'signed_out_everywhere_else', sessions: ended.length },
      },
      at,
    );
  }
  return ended.length;
}
