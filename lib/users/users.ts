/** Accounts: creation (validated, hashed) and the bootstrap administrator. */
import { randomBytes } from 'node:crypto';
import type { Store } from '../db';
import { AppError } from '../errors';
import { randomId } from '../ids';
import { log } from '../log';
import { passwordProblem } from './password-policy';
import { hashPassword } from './passwords';
import type { Role } from './roles';
import { normalizeUsername, usernameProblem } from './username';

export async function createUser(
  store: Store,
  input: { username: string; password: string; role?: Role },
  now = new Date(),
): Promise<{ id: string; username: string; role: Role }> {
  const username = normalizeUsername(input.username);
  const nameProblem = usernameProblem(username);
  const secretProblem = passwordProblem(input.password, { username });
  const problems = [nameProblem && `username ${nameProblem}`, secretProblem && `password ${secretProblem}`].filter(
    (p): p is string => Boolean(p),
  );
  if (problems.length > 0) throw new AppError('invalid_request', problems.join('; '));
  const passwordHash = await hashPassword(input.password);
  const role = input.role ?? 'user';
  const user = await store.createUser({
    id: randomId(),
    username,
    passwordHash,
    role,
    passwordChangedAt: now,
    createdAt: now,
  });
  if (user === 'username_taken') throw new AppError('conflict', 'that username is already taken');
  return { id: user.id, username: user.username, role };
}

/**
 * On an empty database, creates the administrator from ADMIN_USERNAME / ADMIN_PASSWORD, or with a
 * generated password printed once. Does nothing once any account exists.
 */
export async function bootstrapAdmin(
  store: Store,
  admin: { username: string; password: string | undefined },
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await store.countUsers()) > 0) return { created: false };
  const generatedPassword = admin.password ? undefined : randomBytes(18).toString('base64url');
  const password = admin.password ?? generatedPassword ?? '';
  try {
    await createUser(store, { username: admin.username, password, role: 'admin' });
  } catch (error) {
    // Two instances starting on one empty database: the other one created it.
    if (error instanceof AppError && error.code === 'conflict') return { created: false };
    throw error;
  }
  log.info('created the bootstrap administrator', { username: normalizeUsername(admin.username) });
  return generatedPassword ? { created: true, generatedPassword } : { created: true };
}
