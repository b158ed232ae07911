/** Accounts: creation (validated, hashed) and the bootstrap administrator. */
import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Store } from '../db';
import { AppError } from '../errors';
import { randomId } from '../ids';
import { log } from '../log';
import { passwordProblem } from './password-policy';
import type { Passwords } from './passwords';
import type { Role } from './roles';
import { normalizeUsername, usernameProblem, usernameSkeleton } from './username';

/** What creating accounts needs. */
export type UserDeps = { store: Store; passwords: Passwords };

/**
 * A new account. Without a password (`password: null`) it signs in only through single sign-on
 * or a passkey added later; `email` is an address an administrator vouches for (verified, set by 'admin').
 */
export async function createUser(
  { store, passwords }: UserDeps,
  input: { username: string; password: string | null; role?: Role; email?: string | null },
  now = new Date(),
): Promise<{ id: string; username: string; role: Role; passwordChangedAt: Date }> {
  const username = normalizeUsername(input.username);
  const nameProblem = usernameProblem(username);
  const secretProblem = input.password === null ? null : passwordProblem(input.password, { username });
  const problems = [nameProblem && `username ${nameProblem}`, secretProblem && `password ${secretProblem}`].filter(
    (p): p is string => Boolean(p),
  );
  if (problems.length > 0) throw new AppError('invalid_request', problems.join('; '));
  // No password: an empty hash, which no password matches (passwords.ts).
  const passwordHash = input.password === null ? '' : await passwords.hash(input.password);
  const role = input.role ?? 'user';
  const email = input.email ?? null;
  const user = await store.createUser({
    id: randomId(),
    username,
    usernameSkeleton: usernameSkeleton(username),
    passwordHash,
    role,
    passwordChangedAt: now,
    createdAt: now,
    email,
    emailVerifiedAt: email === null ? null : now,
    emailSetBy: email === null ? null : 'admin',
  });
  if (user === 'username_taken') throw new AppError('conflict', 'that username is already taken');
  if (user === 'email_taken') throw new AppError('conflict', 'that e-mail address belongs to another account');
  if ('confusableWith' in user) {
    // A name that renders like another account's would let one pass for the other.
    throw new AppError('conflict', `that username looks like the existing account "${user.confusableWith}"`, {
      extensions: { invalid_params: [{ name: 'username', reason: `looks like "${user.confusableWith}"` }] },
    });
  }
  return { id: user.id, username: user.username, role, passwordChangedAt: user.passwordChangedAt };
}

/**
 * Accounts created before skeletons were stored get theirs at start-up. Two old accounts whose
 * names already look alike keep working; the second keeps no skeleton (logged), which still
 * blocks any new look-alike of the first.
 */
export async function fillUsernameSkeletons(store: Store): Promise<void> {
  for (const user of await store.usersWithoutSkeleton()) {
    if (!(await store.setUsernameSkeleton(user.id, usernameSkeleton(user.username)))) {
      log.warn("an existing username looks like another account's; new look-alikes of it are refused", {
        userId: user.id,
      });
    }
  }
}

/**
 * On an empty database, creates the administrator from ADMIN_USERNAME / ADMIN_PASSWORD, or with a
 * generated password printed once. Does nothing once any account exists.
 */
export async function bootstrapAdmin(
  deps: UserDeps,
  admin: { username: string; password: string | undefined },
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await deps.store.countUsers()) > 0) return { created: false };
  const generatedPassword = admin.password ? undefined : randomBytes(18).toString('base64url');
  const password = admin.password ?? generatedPassword ?? '';
  try {
    await createUser(deps, { username: admin.username, password, role: 'admin' });
  } catch (error) {
    // Two instances starting on one empty database: the other one created it.
    if (error instanceof AppError && error.code === 'conflict') return { created: false };
    throw error;
  }
  log.info('created the bootstrap administrator', { username: normalizeUsername(admin.username) });
  return generatedPassword ? { created: true, generatedPassword } : { created: true };
}
