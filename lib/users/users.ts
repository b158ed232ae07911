/** Accounts: creation (validated, hashed) and the bootstrap administrator. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { AppError } from '../errors';
import { log } from '../log';
import { hashPassword } from '../auth/passwords';
import { passwordProblem } from '../auth/password-policy';
import { randomId, type Role } from '../auth/tokens';
import { normalizeUsername, usernameProblem } from './username';

export async function createUser(
  db: Db,
  input: { username: string; password: string; role?: Role },
  now = new Date(),
): Promise<{ id: string; username: string; role: Role }> {
  const username = normalizeUsername(input.username);
  const nameProblem = usernameProblem(username);
  const secretProblem = passwordProblem(input.password);
  const problems = [nameProblem && `username ${nameProblem}`, secretProblem && `password ${secretProblem}`].filter(
    (p): p is string => Boolean(p),
  );
  if (problems.length > 0) throw new AppError('invalid_request', problems.join('; '));
  const passwordHash = await hashPassword(input.password);
  const role = input.role ?? 'user';
  try {
    const user = await db.user.create({
      data: { id: randomId(), username, passwordHash, role, passwordChangedAt: now, createdAt: now },
    });
    return { id: user.id, username: user.username, role };
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('conflict', 'that username is already taken');
    }
    throw error;
  }
}

/**
 * On an empty database, creates the administrator from ADMIN_USERNAME / ADMIN_PASSWORD, or with a
 * generated password printed once. Does nothing once any account exists.
 */
export async function bootstrapAdmin(
  db: Db,
  admin: { username: string; password: string | undefined },
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await db.user.count()) > 0) return { created: false };
  const generatedPassword = admin.password ? undefined : randomBytes(18).toString('base64url');
  const password = admin.password ?? generatedPassword ?? '';
  try {
    await createUser(db, { username: admin.username, password, role: 'admin' });
  } catch (error) {
    // Two instances starting on one empty database: the other one created it.
    if (error instanceof AppError && error.code === 'conflict') return { created: false };
    throw error;
  }
  log.info('created the bootstrap administrator', { username: normalizeUsername(admin.username) });
  return generatedPassword ? { created: true, generatedPassword } : { created: true };
}
