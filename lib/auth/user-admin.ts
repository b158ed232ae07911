/**
 * User administration, for administrators (the route checks the caller's *current* role):
 * list, create, disable/enable, change role, reset password, delete. Disabling, a password reset
 * and deletion end the user's sessions at once (their access tokens through the revocation feed).
 * The last active administrator cannot be disabled, demoted or deleted (409), checked inside the
 * same transaction as the change.
 */
import { recordEvent, type AuditEventInput } from '../audit/audit-log';
import type { UserRecord } from '../db';
import { AppError } from '../errors';
import { passwordProblem } from '../users/password-policy';
import { hashPassword } from '../users/passwords';
import type { Role } from '../users/roles';
import { createUser } from '../users/users';
import type { AuthDeps, ClientInfo } from './deps';
import { sessionsEnded } from './sessions';

export type UserView = {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
};
type Actor = { userId: string; client: ClientInfo };

export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

const LAST_ADMIN = 'the last active administrator cannot be disabled, demoted or deleted';

export async function listUsers(deps: AuthDeps, options: { search?: string; limit: number }): Promise<UserView[]> {
  const search = options.search?.trim().normalize('NFKC').toLowerCase();
  return (await deps.store.listUsers({ ...(search ? { search } : {}), limit: options.limit })).map(userView);
}

export async function createUserAsAdmin(
  deps: AuthDeps,
  actor: Actor,
  input: { username: string; password: string; role: Role },
): Promise<UserView> {
  const now = deps.now();
  const created = await createUser(deps.store, input, now);
  await recordEvent(
    deps.store,
    {
      type: 'user.created',
      userId: created.id,
      actorId: actor.userId,
      client: actor.client,
      detail: { role: created.role },
    },
    now,
  );
  const user = await deps.store.findUserById(created.id);
  if (!user) throw new AppError('not_found', 'the user was deleted meanwhile');
  return userView(user);
}

export async function updateUserAsAdmin(
  deps: AuthDeps,
  actor: Actor,
  id: string,
  changes: { disabled?: boolean; role?: Role; password?: string },
): Promise<UserView> {
  const now = deps.now();
  const before = await deps.store.findUserById(id);
  if (!before) throw new AppError('not_found', 'there is no such user');
  const update: Parameters<typeof deps.store.updateUser>[1] = {};
  if (changes.disabled !== undefined) update.disabled = changes.disabled;
  if (changes.role !== undefined) update.role = changes.role;
  if (changes.password !== undefined) {
    const problem = passwordProblem(changes.password, { username: before.username });
    if (problem) {
      throw new AppError('invalid_request', `password: ${problem}`, {
        extensions: { invalid_params: [{ name: 'password', reason: problem }] },
      });
    }
    update.passwordHash = await hashPassword(changes.password);
    update.passwordChangedAt = now;
  }
  // Disabling and a password reset end every session of the user, in the same transaction.
  const endSessions =
    changes.disabled === true ? 'admin_disabled' : changes.password !== undefined ? 'password_reset' : undefined;
  const result = await deps.store.updateUser(id, update, { at: now, ...(endSessions ? { endSessions } : {}) });
  if (result === 'not_found') throw new AppError('not_found', 'there is no such user');
  if (result === 'last_admin') throw new AppError('conflict', LAST_ADMIN);
  sessionsEnded(deps, result.endedSessions, endSessions ?? 'admin', now);

  const events: AuditEventInput[] = [];
  const base = { userId: id, actorId: actor.userId, client: actor.client };
  if (changes.disabled !== undefined && changes.disabled !== before.disabled) {
    events.push({
      ...base,
      type: changes.disabled ? 'user.disabled' : 'user.enabled',
      detail: { endedSessions: result.endedSessions.length },
    });
  }
  if (changes.role !== undefined && changes.role !== before.role) {
    events.push({ ...base, type: 'user.role_changed', detail: { from: before.role, to: changes.role } });
  }
  if (changes.password !== undefined) {
    events.push({ ...base, type: 'user.password_reset', detail: { endedSessions: result.endedSessions.length } });
  }
  for (const event of events) await recordEvent(deps.store, event, now);
  return userView(result.user);
}

export async function deleteUserAsAdmin(deps: AuthDeps, actor: Actor, id: string): Promise<void> {
  const now = deps.now();
  const user = await deps.store.findUserById(id);
  const result = await deps.store.deleteUser(id, now);
  if (result === 'not_found') throw new AppError('not_found', 'there is no such user');
  if (result === 'last_admin') throw new AppError('conflict', LAST_ADMIN);
  sessionsEnded(deps, result.endedSessions, 'user_deleted', now);
  await recordEvent(
    deps.store,
    {
      type: 'user.deleted',
      userId: id,
      actorId: actor.userId,
      client: actor.client,
      detail: { username: user?.username ?? null, endedSessions: result.endedSessions.length },
    },
    now,
  );
}
