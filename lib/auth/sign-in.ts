/**
 * Password sign-in. Unknown usernames and wrong passwords give the same error after the same
 * amount of work (a dummy hash is checked), so responses do not reveal which accounts exist.
 * "Disabled" is only revealed after the correct password.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import type { UserRecord } from '../db';
import { AppError } from '../errors';
import { normalizeUsername, usernameProblem } from '../users/username';
import type { AuthDeps, ClientInfo } from './deps';
import { isRefused, type PresentedProof } from './dpop';
import { startSession } from './sessions';
import { noteSignIn } from './email/devices';
import { hasSecondFactor } from './second-factor/factors';
import { secondStepRequired, startPendingSignIn } from './second-factor/pending';
import { beginAttempt } from './sign-in-throttle';
import type { TokenPair } from './token-pair';

const INVALID = 'the username or password is incorrect';

export async function signIn(
  deps: AuthDeps,
  credentials: { username: string; password: string },
  client: ClientInfo,
  proof: PresentedProof = null,
): Promise<{ userId: string; sessionId: string; pair: TokenPair }> {
  const username = normalizeUsername(credentials.username);
  if (isRefused(proof)) {
    // A replayed, malformed or misdirected proof: refused before any password is checked, on record
    // against the account it names (if there is one).
    const named = await deps.store.findUserByUsername(username);
    await recordEvent(
      deps.store,
      {
        type: 'request.dpop_refused',
        userId: named?.id ?? null,
        client,
        detail: { proof: 'invalid', action: 'sign-in' },
      },
      deps.now(),
    );
    throw proof.refused;
  }
  if (!proof && deps.policy.dpopRequired) {
    throw new AppError(
      'dpop_required',
      'this server only starts sessions bound to a browser key (DPoP); sign in from a browser with IndexedDB and WebCrypto',
    );
  }
  // The session starts *before* the password is checked: a password change or reset committed
  // while this sign-in verified the old password is then later than the session, which it voids.
  const startedAt = deps.now();
  const who = { username, ip: client.ip };
  // Throttled attempts are refused before any password is checked, alike for every username.
  const attempt = await beginAttempt(deps, deps.throttle, who).catch((error: unknown) => {
    deps.events.signIn('throttled');
    throw error;
  });
  const user = await deps.store.findUserByUsername(username);
  let ok: boolean;
  try {
    ok = user
      ? await deps.passwords.verify(user.passwordHash, credentials.password)
      : await deps.passwords.burn(credentials.password); // equal timing for unknown users
  } catch (error) {
    // Refused before any password was checked (too many sign-ins at once): not a failed attempt.
    await attempt.abandoned();
    throw error;
  }
  if (!user || !ok) {
    const tripped = await attempt.failed();
    // The name as typed, for administrators reading the log; only if it could be a username at all,
    // since people type passwords into the username field.
    const attempted = usernameProblem(username) === null ? credentials.username.slice(0, 64) : '(not a username)';
    await recordEvent(
      deps.store,
      { type: 'sign_in.failure', userId: user?.id ?? null, client, detail: { attempted } },
      deps.now(),
    );
    if (tripped.length > 0) {
      await recordEvent(
        deps.store,
        { type: 'sign_in.throttled', userId: user?.id ?? null, client, detail: { limit: tripped.join(', ') } },
        deps.now(),
      );
    }
    deps.events.signIn('invalid_credentials');
    throw new AppError('invalid_credentials', INVALID);
  }
  // The password was right: the attempt is taken back, disabled account or not.
  await attempt.succeeded();
  // OIDC_ONLY: everyone signs in through the identity provider but the break-glass administrators.
  // Said only after the right password, so it reveals no more than a successful sign-in would.
  if (deps.policy.sso?.only && user.role !== 'admin') {
    await recordEvent(
      deps.store,
      { type: 'sign_in.failure', userId: user.id, client, detail: { reason: 'password_sign_in_disabled' } },
      deps.now(),
    );
    deps.events.signIn('invalid_credentials');
    throw new AppError('password_sign_in_disabled', `sign in through ${deps.policy.sso.displayName}`);
  }
  // With a proof, the session is bound to the browser's key: only it can refresh.
  const jkt = proof?.jkt ?? null;
  // A second factor is asked for only after the right password, and never of a disabled account.
  if (!user.disabled && (await hasSecondFactor(deps, user.id))) {
    const pending = await startPendingSignIn(deps, user, startedAt, jkt);
    await recordEvent(deps.store, { type: 'sign_in.second_factor_required', userId: user.id, client }, deps.now());
    deps.events.signIn('second_factor_required');
    throw secondStepRequired(pending);
  }
  let owner: UserRecord = user;
  // The account may change while its password is checked (an administrator disables it, resets
  // its password, changes its role or deletes it): the session is created only if it has not
  // (startSession). Only a new role is worth another try, with the role the account has now.
  for (let tries = 0; tries < 3; tries++) {
    if (owner.disabled) {
      await recordEvent(deps.store, { type: 'sign_in.disabled', userId: owner.id, client }, deps.now());
      deps.events.signIn('account_disabled');
      throw new AppError('account_disabled', 'this account has been disabled by an administrator');
    }
    const started = await startSession(deps, owner, client, startedAt, jkt);
    if (started) {
      await recordEvent(
        deps.store,
        { type: 'sign_in.success', userId: owner.id, sessionId: started.sessionId, client },
        deps.now(),
      );
      await noteSignIn(deps, owner, started.sessionId, client);
      deps.events.signIn('success');
      return { userId: owner.id, sessionId: started.sessionId, pair: started.pair };
    }
    const now = await deps.store.findUserById(owner.id);
    // Deleted, or its password changed: the password just checked is no longer the account's.
    if (!now || now.passwordChangedAt.getTime() !== user.passwordChangedAt.getTime()) break;
    owner = now;
  }
  await recordEvent(
    deps.store,
    { type: 'sign_in.failure', userId: user.id, client, detail: { reason: 'account_changed' } },
    deps.now(),
  );
  deps.events.signIn('invalid_credentials');
  throw new AppError('invalid_credentials', INVALID);
}
