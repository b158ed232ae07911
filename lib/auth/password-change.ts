/**
 * A user changes their own password: the current one is required (and failures count towards
 * sign-in throttling, so a stolen access token cannot be used to guess it), the new one must pass
 * the policy, every session of the user ends (The Copenhagen Book), and the device that made the
 * change continues in a new session with a fresh token pair. All of it in one transaction.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import type { NewSession, UserRecord } from '../db';
import { AppError } from '../errors';
import { passwordProblem } from '../users/password-policy';
import type { Amr } from './authentication';
import { confirmCurrentPassword } from './current-password';
import type { AuthDeps, ClientInfo } from './deps';
import { firstPair, newSession, sessionsEnded } from './sessions';
import type { TokenPair } from './token-pair';

/** The answer to a new password the policy refuses: a change's and a reset link's alike. */
export function newPasswordRefused(problem: string): AppError {
  return new AppError('invalid_request', `new_password: ${problem}`, {
    extensions: { invalid_params: [{ name: 'new_password', reason: problem }] },
  });
}

export async function changePassword(
  deps: AuthDeps,
  caller: { user: UserRecord; sessionId: string; client: ClientInfo; dpopJkt: string | null; amr: readonly Amr[] },
  input: { currentPassword: string; newPassword: string },
): Promise<TokenPair> {
  const { user, client } = caller;
  await confirmCurrentPassword(deps, user, input.currentPassword, { client, sessionId: caller.sessionId });
  const problem =
    input.newPassword === input.currentPassword
      ? 'must differ from the current password'
      : passwordProblem(input.newPassword, { username: user.username });
  if (problem) throw newPasswordRefused(problem);
  const now = deps.now();
  // The device continues in a new session, bound to the same browser key as the one it had.
  // It signed in as the old one did (the password was just proved again), at this instant.
  const session = newSession(deps, user.id, client, now, caller.dpopJkt, caller.amr);
  const ended = await replacePassword(deps, user, session, {
    newPassword: input.newPassword,
    reason: 'password_changed',
    event: 'password.changed',
    client,
  });
  // Disabled, reset or given another role while this request ran: that change ended this session.
  if (ended === null) throw new AppError('session_revoked', 'the account changed meanwhile; sign in again');
  return firstPair(deps, user, session);
}

/**
 * The new password, every session of the user ended, and `session` (this device's, from `at` on)
 * stored, in one transaction; audited as `event`. Null (nothing changed) when the account is no
 * longer as `user` says. A change by its owner and a reset through the mail both come here.
 */
export async function replacePassword(
  deps: AuthDeps,
  user: UserRecord,
  session: NewSession,
  change: {
    newPassword: string;
    reason: string;
    event: 'password.changed' | 'password.reset_by_email';
    client: ClientInfo;
  },
): Promise<string[] | null> {
  const at = session.createdAt;
  const ended = await deps.store.changePassword(
    user.id,
    { passwordHash: await deps.passwords.hash(change.newPassword), at, reason: change.reason, account: user },
    session,
  );
  if (ended === null) return null;
  sessionsEnded(deps, ended, change.reason, at);
  await recordEvent(
    deps.store,
    {
      type: change.event,
      userId: user.id,
      actorId: user.id,
      sessionId: session.id,
      client: change.client,
      detail: { endedSessions: ended.length },
    },
    at,
  );
  return ended;
}
