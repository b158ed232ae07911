/**
 * Password sign-in. Unknown usernames and wrong passwords give the same error after the same
 * amount of work (a dummy hash is checked), so responses do not reveal which accounts exist.
 * "Disabled" is only revealed after the correct password.
 */
import { AppError } from '../errors';
import { burnPasswordCheck, verifyPassword } from '../users/passwords';
import { normalizeUsername } from '../users/username';
import type { AuthDeps, ClientInfo } from './deps';
import { startSession } from './sessions';
import type { TokenPair } from './token-pair';

const INVALID = 'the username or password is incorrect';

export async function signIn(
  deps: AuthDeps,
  credentials: { username: string; password: string },
  client: ClientInfo,
): Promise<{ userId: string; sessionId: string; pair: TokenPair }> {
  const user = await deps.store.findUserByUsername(normalizeUsername(credentials.username));
  const ok = user
    ? await verifyPassword(user.passwordHash, credentials.password)
    : await burnPasswordCheck(credentials.password); // equal timing for unknown users
  if (!user || !ok) throw new AppError('invalid_credentials', INVALID);
  if (user.disabled) throw new AppError('account_disabled', 'this account has been disabled by an administrator');
  const { sessionId, pair } = await startSession(deps, user, client);
  return { userId: user.id, sessionId, pair };
}
