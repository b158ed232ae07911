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
import { redeemSecondFactor } from './second-factor/factors';
import { authenticationOf } from './sessions';
import { beginAttempt } from './sign-in-throttle';

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
  } else {
    const attempt = await beginAttempt(deps, deps.throttle, { username: user.username, ip: client.ip });
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
  }
  const at = deps.now();
  // Ended meanwhile (signed out elsewhere, password reset): nothing to re-authenticate.
  if (!(await deps.store.reauthenticateSession(session.id, at))) {
    throw new AppError('session_revoked', 'this session has been signed out');
  }
  await recordEvent(
    deps.store,
    { type: 'reauth.success', userId: user.id, actorId: user.id, ...context, detail: { method } },
    at,
  );
  deps.events.secondFactor('reauthenticated');
  return { authTime: at };
}
