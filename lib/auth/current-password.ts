/**
 * Confirms that the caller knows the account's current password before a change that needs it
 * (a password change; an administrator resetting their own password). It is guarded like a
 * sign-in: failures count towards the same throttling, so a stolen access token cannot be used to
 * guess the password, and every wrong guess and every lock it trips is in the audit log.
 */
import 'server-only';
import type { AuditType } from '../api/audit';
import { recordEvent } from '../audit/audit-log';
import type { UserRecord } from '../db';
import { AppError } from '../errors';
import type { AuthDeps, ClientInfo } from './deps';
import { beginAttempt } from './sign-in-throttle';

export async function confirmCurrentPassword(
  deps: AuthDeps,
  user: UserRecord,
  password: string,
  context: { client: ClientInfo; sessionId?: string | null; failure?: AuditType },
): Promise<void> {
  const attempt = await beginAttempt(deps, deps.throttle, { username: user.username, ip: context.client.ip });
  let ok: boolean;
  try {
    ok = await deps.passwords.verify(user.passwordHash, password);
  } catch (error) {
    // Refused before the password was checked (too many hashes at once): not a failed attempt.
    await attempt.abandoned();
    throw error;
  }
  if (ok) {
    await attempt.succeeded();
    return;
  }
  const tripped = await attempt.failed();
  const event = { userId: user.id, actorId: user.id, sessionId: context.sessionId ?? null, client: context.client };
  await recordEvent(deps.store, { ...event, type: context.failure ?? 'password.change_failed' }, deps.now());
  if (tripped.length > 0) {
    await recordEvent(
      deps.store,
      { ...event, type: 'sign_in.throttled', detail: { limit: tripped.join(', '), via: 'current_password' } },
      deps.now(),
    );
  }
  throw new AppError('invalid_credentials', 'the current password is incorrect');
}
