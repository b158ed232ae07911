/**
 * Sign-in with a passkey: no username, no password. It starts an ordinary session (rotation, DPoP
 * binding, revocation, audit all as for a password) whose amr says a key and user verification
 * (two factors). Failures are throttled by address (and by credential), like passwords.
 */
import 'server-only';
import type { WebAuthnResponse } from '../../api/auth';
import { recordEvent } from '../../audit/audit-log';
import { AppError } from '../../errors';
import type { AuthDeps, ClientInfo } from '../deps';
import { isRefused, type PresentedProof } from '../dpop';
import { revokeSession, startSession } from '../sessions';
import { beginAttempt } from '../sign-in-throttle';
import type { TokenPair } from '../token-pair';
import { passkeyAmr, verifyPasskey } from './passkeys';
import { noteSignIn } from '../email/devices';

export async function signInWithPasskey(
  deps: AuthDeps,
  response: WebAuthnResponse,
  client: ClientInfo,
  proof: PresentedProof,
): Promise<{ userId: string; sessionId: string; pair: TokenPair }> {
  if (isRefused(proof)) throw proof.refused;
  if (!proof && deps.policy.dpopRequired) {
    throw new AppError('dpop_required', 'this server only starts sessions bound to a browser key (DPoP)');
  }
  const startedAt = deps.now();
  // Counted per address (and per credential id, so one credential's failures have a name).
  const attempt = await beginAttempt(deps, deps.throttle, { username: `passkey\0${response.id}`, ip: client.ip }).catch(
    (error: unknown) => {
      deps.events.signIn('throttled');
      throw error;
    },
  );
  let verified: Awaited<ReturnType<typeof verifyPasskey>>;
  try {
    verified = await verifyPasskey(deps, response, null, client);
  } catch (error) {
    await attempt.failed();
    deps.events.signIn('invalid_credentials');
    throw error;
  }
  await attempt.succeeded();
  const { user, passkey } = verified;
  if (user.disabled) {
    await recordEvent(deps.store, { type: 'sign_in.disabled', userId: user.id, client }, deps.now());
    deps.events.signIn('account_disabled');
    throw new AppError('account_disabled', 'this account has been disabled by an administrator');
  }
  const started = await startSession(deps, user, client, startedAt, proof?.jkt ?? null, passkeyAmr(passkey));
  // Disabled, reset, re-roled or deleted while the passkey was checked.
  if (!started) throw new AppError('invalid_credentials', 'the account changed meanwhile; try again');
  // Deleted (by its owner, or by an administrator's reset) while it was checked: the reset ended
  // every session it saw; this one, started after it, must not outlive it either.
  if (!(await deps.store.findPasskeyByCredential(passkey.credentialId))) {
    await revokeSession(deps, started.sessionId, 'admin');
    throw new AppError('invalid_credentials', 'the passkey was removed meanwhile');
  }
  await recordEvent(
    deps.store,
    { type: 'sign_in.success', userId: user.id, sessionId: started.sessionId, client, detail: { method: 'passkey' } },
    deps.now(),
  );
  await noteSignIn(deps, user, started.sessionId, client);
  deps.events.signIn('success');
  return { userId: user.id, sessionId: started.sessionId, pair: started.pair };
}
