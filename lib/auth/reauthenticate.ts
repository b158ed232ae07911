/**
 * Sensitive actions ("sudo mode"): changing the password, adding or removing a second factor,
 * new recovery codes, signing out everywhere else and every admin action need an authentication
 * no older than REAUTH_MAX_AGE_MINUTES. A refresh never counts as one. Re-authenticating (the
 * password, or a code from the authenticator app) moves the session's `authTime` on; it creates
 * no session and no token. The check reads the session row, so a re-authentication counts on
 * every instance at once, whatever the access token in hand says.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import type { SessionWithUser, UserRecord } from '../db';
import { AppError } from '../errors';
import type { WebAuthnResponse } from '../api/auth';
import { confirmCurrentPassword } from './current-password';
import { verifyPasskey } from './passkeys/passkeys';
import type { AuthDeps, ClientInfo } from './deps';
import { formatAmr, parseAmr, type Amr } from './authentication';
import { beginCodeAttempt, hasAnySecondFactor, redeemSecondFactor } from './second-factor/factors';
import { authenticationOf } from './sessions';

/** Throws reauthentication_required (RFC 9470's insufficient_user_authentication) when too old. */
export async function assertRecentAuthentication(
  deps: AuthDeps,
  session: SessionWithUser,
  context: { client: ClientInfo; action: string },
): Promise<void> {
  const age = deps.now().getTime() - authenticationOf(session).at.getTime();
  if (age <= deps.policy.reauthMaxAgeSeconds * 1000) return;
  await recordEvent(
    deps.store,
    {
      type: 'reauth.required',
      userId: session.userId,
      sessionId: session.id,
      client: context.client,
      detail: { action: context.action },
    },
    deps.now(),
  );
  throw new AppError('reauthentication_required', 'this action needs a recent sign-in: confirm it is you, then retry', {
    extensions: { max_age: deps.policy.reauthMaxAgeSeconds },
  });
}

export async function reauthenticate(
  deps: AuthDeps,
  caller: { user: UserRecord; session: SessionWithUser; client: ClientInfo },
  input: { password: string } | { code: string } | { passkey: WebAuthnResponse },
): Promise<{ authTime: Date }> {
  const { user, session, client } = caller;
  const context = { client, sessionId: session.id };
  let method: string;
  // What this proof adds to how the session authenticated (RFC 8176).
  let proved: readonly Amr[] = [];
  if ('password' in input && (await hasAnySecondFactor(deps, user.id))) {
    // A stolen session and a phished password must not be enough to change the second factors:
    // an account that has one re-authenticates with it.
    throw new AppError('second_factor_required', 'this account re-authenticates with its second factor');
  }
  if ('password' in input) {
    // Throttled and audited as any password check is.
    await confirmCurrentPassword(deps, user, input.password, { ...context, failure: 'reauth.failure' }).catch(
      (error: unknown) => {
        deps.events.secondFactor('reauth_failed');
        throw error;
      },
    );
    method = 'password';
  } else if ('passkey' in input) {
    // One of this user's own passkeys, for a challenge issued to this user for re-authentication.
    await verifyPasskey(deps, input.passkey, user, client).catch(async (error: unknown) => {
      await recordEvent(
        deps.store,
        { type: 'reauth.failure', userId: user.id, actorId: user.id, ...context, detail: { method: 'passkey' } },
        deps.now(),
      );
      deps.events.secondFactor('reauth_failed');
      throw error;
    });
    method = 'passkey';
    proved = ['user', 'mfa'];
  } else {
    const attempt = await beginCodeAttempt(deps, user.id, client);
    const used = await redeemSecondFactor(deps, user.id, input.code, context);
    if (used === null) {
      await attempt.failed();
      await recordEvent(
        deps.store,
        { type: 'reauth.failure', userId: user.id, actorId: user.id, ...context, detail: { method: 'code' } },
        deps.now(),
      );
      deps.events.secondFactor('reauth_failed');
      throw new AppError('invalid_code', 'the code is wrong or was already used');
    }
    await attempt.succeeded();
    method = used;
    proved = ['otp', 'mfa'];
  }
  return { authTime: await recordReauthentication(deps, session, proved, { client, method }) };
}

/**
 * A fresh authentication of `session`, by whatever proved it (`proved` adds to its amr): its
 * authTime moves to now, on every instance at once (the row), and it is audited.
 */
export async function recordReauthentication(
  deps: AuthDeps,
  session: Pick<SessionWithUser, 'id' | 'userId' | 'amr'>,
  proved: readonly Amr[],
  context: { client: ClientInfo; method: string },
): Promise<Date> {
  const at = deps.now();
  const amr = formatAmr([...new Set([...parseAmr(session.amr), ...proved])]);
  // Ended meanwhile (signed out elsewhere, password reset): nothing to re-authenticate.
  if (!(await deps.store.reauthenticateSession(session.id, at, amr))) {
    throw new AppError('session_revoked', 'this session has been signed out');
  }
  await recordEvent(
    deps.store,
    {
      type: 'reauth.success',
      userId: session.userId,
      actorId: session.userId,
      sessionId: session.id,
      client: context.client,
      detail: { method: context.method },
    },
    at,
  );
  deps.events.secondFactor('reauthenticated');
  return at;
}
