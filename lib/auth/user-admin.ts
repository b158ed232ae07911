/**
 * User administration, for administrators (the route checks the caller's *current* role):
 * list, create, disable/enable, change role, reset password, delete. Disabling, a password reset
 * and deletion end the user's sessions at once (their access tokens through the revocation feed).
 * The last active administrator cannot be disabled, demoted or deleted (409), checked inside the
 * same transaction as the change.
 */
import 'server-only';
import type { UserView } from '../api/admin';
import { recordEvent, type AuditEventInput } from '../audit/audit-log';
import type { UserRecord } from '../db';
import { AppError } from '../errors';
import { passwordProblem } from '../users/password-policy';
import type { Role } from '../users/roles';
import { createUser } from '../users/users';
import { confirmCurrentPassword } from './current-password';
import type { AuthDeps, ClientInfo } from './deps';
import { addressReplaced } from './email/addresses';
import { sessionsEnded } from './sessions';

type Actor = { userId: string; client: ClientInfo };

export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    hasPassword: user.passwordHash !== '',
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

const LAST_ADMIN = 'the last active administrator cannot be disabled, demoted or deleted';

export async function listUsers(deps: AuthDeps, options: { search?: string; limit: number }): Promise<UserView[]> {
  const search = options.search?.trim().normalize('NFKC').toLowerCase();
  const users = await deps.store.listUsers({ ...(search ? { search } : {}), limit: options.limit });
  const guarded = await deps.store.usersWithSecondFactor(users.map((user) => user.id));
  return users.map((user) => ({ ...userView(user), secondFactor: guarded.has(user.id) }));
}

export async function createUserAsAdmin(
  deps: AuthDeps,
  actor: Actor,
  input: { username: string; password?: string | undefined; role: Role; email?: string | undefined },
): Promise<UserView> {
  const now = deps.now();
  // An account without a password can only sign in through the identity provider.
  if (input.password === undefined && deps.policy.sso === null) {
    throw new AppError('invalid_request', 'password: is required (single sign-on is not configured here)', {
      extensions: { invalid_params: [{ name: 'password', reason: 'is required' }] },
    });
  }
  const created = await createUser(
    deps,
    { username: input.username, password: input.password ?? null, role: input.role, email: input.email ?? null },
    now,
  );
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
  changes: { disabled?: boolean; role?: Role; password?: string; currentPassword?: string; email?: string | null },
): Promise<UserView> {
  const now = deps.now();
  const before = await deps.store.findUserById(id);
  if (!before) throw new AppError('not_found', 'there is no such user');
  if (changes.email !== undefined && changes.email !== before.email) {
    // Set by an administrator: vouched for, so it counts as verified.
    const set = await deps.store.setEmail(id, changes.email, { at: now, by: 'admin' });
    if (set === 'not_found') throw new AppError('not_found', 'there is no such user');
    if (set === 'taken') throw new AppError('conflict', 'that e-mail address belongs to another account');
    await recordEvent(
      deps.store,
      { type: 'user.email_changed', userId: id, actorId: actor.userId, client: actor.client, detail: { by: 'admin' } },
      now,
    );
    await addressReplaced(deps, before, before.email, changes.email);
    const others = [changes.disabled, changes.role, changes.password].some((value) => value !== undefined);
    if (!others) {
      const user = await deps.store.findUserById(id);
      if (!user) throw new AppError('not_found', 'there is no such user');
      return userView(user);
    }
  }
  if (changes.password !== undefined && id === actor.userId) {
    // Their own password: as on the account page, only with the current one (a stolen access
    // token alone must not be able to take the account over).
    if (changes.currentPassword === undefined) {
      // What a stolen administrator's token would try first: on record.
      await recordEvent(
        deps.store,
        {
          type: 'password.change_failed',
          userId: id,
          actorId: actor.userId,
          client: actor.client,
          detail: { current_password: 'missing' },
        },
        deps.now(),
      );
      throw new AppError('invalid_request', 'current_password: is required to reset your own password', {
        extensions: { invalid_params: [{ name: 'current_password', reason: 'is required' }] },
      });
    }
    await confirmCurrentPassword(deps, before, changes.currentPassword, { client: actor.client });
  }
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
    update.passwordHash = await deps.passwords.hash(changes.password);
    update.passwordChangedAt = now;
  }
  // Disabling, a password reset and a new role end every session of the user, in the same
  // transaction: no token keeps a role, a password or an account state that no longer holds.
  const roleChanges = changes.role !== undefined && changes.role !== before.role;
  const endSessions =
    changes.disabled === true
      ? 'admin_disabled'
      : changes.password !== undefined
        ? 'password_reset'
        : roleChanges
          ? 'role_changed'
          : undefined;
  const result = await deps.store.updateUser(id, update, { at: now, ...(endSessions ? { endSessions } : {}) });
  if (result === 'not_found') throw new AppError('not_found', 'there is no such user');
  if (result === 'last_admin') throw new AppError('conflict', LAST_ADMIN);
  sessionsEnded(deps, result.endedSessions, endSessions ?? 'admin', now);

  // What changed, as the transaction that changed it saw it: a concurrent identical change is
  // recorded once.
  const changed = result.before;
  const events: AuditEventInput[] = [];
  const base = { userId: id, actorId: actor.userId, client: actor.client };
  if (changes.disabled !== undefined && changes.disabled !== changed.disabled) {
    events.push({
      ...base,
      type: changes.disabled ? 'user.disabled' : 'user.enabled',
      detail: { endedSessions: result.endedSessions.length },
    });
  }
  if (changes.role !== undefined && changes.role !== changed.role) {
    events.push({
      ...base,
      type: 'user.role_changed',
      detail: { from: changed.role, to: changes.role, endedSessions: result.endedSessions.length },
    });
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

/**
 * A user lost their authenticator app and their recovery codes: an administrator removes both.
 * Every session of the user ends with them (whoever holds one may be the reason for the reset),
 * in the same transaction; the user signs in again with the password alone and can set up anew.
 */
export async function resetSecondFactorsAsAdmin(deps: AuthDeps, actor: Actor, id: string): Promise<void> {
  const now = deps.now();
  if (!(await deps.store.findUserById(id))) throw new AppError('not_found', 'there is no such user');
  const { removed, endedSessions } = await deps.store.removeSecondFactors(id, {
    at: now,
    endSessions: 'second_factors_reset',
    passkeys: true,
  });
  if (!removed) throw new AppError('not_found', 'this user has no second factor to reset');
  sessionsEnded(deps, endedSessions, 'second_factors_reset', now);
  await recordEvent(
    deps.store,
    {
      type: 'user.second_factors_reset',
      userId: id,
      actorId: actor.userId,
      client: actor.client,
      detail: { endedSessions: endedSessions.length },
    },
    now,
  );
  deps.events.secondFactor('reset_by_admin');
}
