/**
 * The second step of a sign-in for a user with a second factor. The password step answers an
 * `mfa_token`: 32 random bytes, stored only as a hash, good for this step alone (it is no JWT, so
 * no endpoint takes it as an access or refresh token), for a few minutes, and for a few wrong
 * codes. A valid code takes it once and starts an ordinary session, dated from when the password
 * check began (so a password change committed meanwhile still voids it).
 */
import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { recordEvent } from '../../audit/audit-log';
import type { PendingSignInRecord, UserRecord } from '../../db';
import { AppError } from '../../errors';
import { formatAmr, parseAmr, PASSWORD_AND_CODE, type Amr } from '../authentication';
import type { AuthDeps, ClientInfo } from '../deps';
import { isRefused, type PresentedProof } from '../dpop';
import { revokeSession, startSession } from '../sessions';
import type { TokenPair } from '../token-pair';
import { beginCodeAttempt, hasSecondFactor, redeemSecondFactor } from './factors';
import { noteSignIn } from '../email/devices';

export const PENDING_SIGN_IN_SECONDS = 300;
/** Wrong codes one pending sign-in may take before it ends (throttling counts them as well). */
export const MAX_CODE_FAILURES = 5;
const PREFIX = 'mfa_';

function idOf(mfaToken: string): string {
  return createHash('sha256').update(mfaToken).digest('base64url');
}

function expired(): AppError {
  return new AppError('mfa_token_invalid', 'this sign-in step has expired or was already completed; sign in again');
}

/** A first step other than a password: a sign-in through the OpenID Provider (its amr and session). */
export type FirstStep = { amr: readonly Amr[]; sso: { issuer: string; sid: string | null } };

/** Records a sign-in waiting for its second factor; the mfa_token the client completes it with. */
export async function startPendingSignIn(
  deps: AuthDeps,
  user: UserRecord,
  startedAt: Date,
  dpopJkt: string | null,
  first: FirstStep | null = null,
): Promise<{ mfaToken: string; expiresIn: number }> {
  const mfaToken = PREFIX + randomBytes(32).toString('base64url');
  await deps.store.createPendingSignIn({
    id: idOf(mfaToken),
    userId: user.id,
    startedAt,
    expiresAt: new Date(deps.now().getTime() + PENDING_SIGN_IN_SECONDS * 1000),
    role: user.role,
    passwordChangedAt: user.passwordChangedAt,
    dpopJkt,
    firstAmr: first ? formatAmr(first.amr) : null,
    ssoIssuer: first?.sso.issuer ?? null,
    ssoSid: first?.sso.sid ?? null,
  });
  return { mfaToken, expiresIn: PENDING_SIGN_IN_SECONDS };
}

/** The 403 that hands the client its second step (the same for a password, a reset or the provider). */
export function secondStepRequired(pending: { mfaToken: string; expiresIn: number }, next?: string | null): AppError {
  return new AppError('mfa_required', 'enter a code from your authenticator app, or a recovery code', {
    extensions: {
      mfa_token: pending.mfaToken,
      expires_in: pending.expiresIn,
      factors: ['totp', 'recovery_code'],
      // After a single sign-on: where the user was going, for after the code.
      ...(next !== undefined ? { next } : {}),
    },
  });
}

/** The session's methods: the first step's (a password unless said otherwise) and a code. */
function completedAmr(pending: PendingSignInRecord): readonly Amr[] {
  if (pending.firstAmr === null) return PASSWORD_AND_CODE;
  return [...new Set<Amr>([...parseAmr(pending.firstAmr), 'otp', 'mfa'])];
}

export async function completeSignIn(
  deps: AuthDeps,
  input: { mfaToken: string; code: string },
  client: ClientInfo,
  proof: PresentedProof,
): Promise<{ userId: string; sessionId: string; pair: TokenPair }> {
  if (isRefused(proof)) throw proof.refused;
  const id = idOf(input.mfaToken);
  const pending = input.mfaToken.startsWith(PREFIX) ? await deps.store.findPendingSignIn(id) : null;
  if (!pending || pending.expiresAt.getTime() <= deps.now().getTime()) throw expired();
  // The session will be bound to the key of the first step: only that browser may finish it.
  if ((proof?.jkt ?? null) !== pending.dpopJkt) {
    throw new AppError('invalid_dpop_proof', 'the second step must prove the same browser key as the first');
  }
  const user = await deps.store.findUserById(pending.userId);
  if (!user) throw expired();
  const context = { client, sessionId: null };
  // Wrong codes count per address and per account, apart from the password's counter.
  const attempt = await beginCodeAttempt(deps, user.id, client).catch((error: unknown) => {
    deps.events.signIn('throttled');
    throw error;
  });
  const method = await redeemSecondFactor(deps, user.id, input.code, context);
  if (method === null) {
    const tripped = await attempt.failed();
    const failures = await deps.store.failPendingSignIn(id);
    // Completed or ended by a concurrent request meanwhile.
    if (failures === 0) throw expired();
    const left = Math.max(0, MAX_CODE_FAILURES - failures);
    // Out of tries: the pending sign-in ends, and the password must be given again.
    if (left === 0) await deps.store.consumePendingSignIn(id, deps.now());
    await recordEvent(
      deps.store,
      { type: 'sign_in.second_factor_failed', userId: user.id, client, detail: { left } },
      deps.now(),
    );
    if (tripped.length > 0) {
      await recordEvent(
        deps.store,
        { type: 'sign_in.throttled', userId: user.id, client, detail: { limit: tripped.join(', '), via: 'code' } },
        deps.now(),
      );
    }
    deps.events.signIn('invalid_code');
    deps.events.secondFactor('code_failed');
    throw new AppError('invalid_code', 'the code is wrong or was already used', {
      extensions: { attempts_left: left },
    });
  }
  await attempt.succeeded();
  // Once: of two completions racing with two valid codes, one starts a session.
  if (!(await deps.store.consumePendingSignIn(id, deps.now()))) throw expired();
  const started = await startSession(
    deps,
    { id: user.id, role: pending.role, passwordChangedAt: pending.passwordChangedAt },
    client,
    pending.startedAt,
    pending.dpopJkt,
    completedAmr(pending),
    // A session begun at the provider stays tied to it: its back-channel logout ends this one too.
    pending.ssoIssuer === null ? null : { issuer: pending.ssoIssuer, sid: pending.ssoSid, authTime: pending.startedAt },
  );
  // Disabled, reset, re-roled or deleted since the password step: that change wins.
  if (!started) throw new AppError('invalid_credentials', 'the account changed meanwhile; sign in again');
  // An administrator's reset of the second factors committed while this code was checked: the
  // reset ended every session it saw; this one, started after it, must not outlive it either.
  if (!(await hasSecondFactor(deps, user.id))) {
    await revokeSession(deps, started.sessionId, 'admin');
    throw new AppError('invalid_credentials', 'the account changed meanwhile; sign in again');
  }
  await recordEvent(
    deps.store,
    {
      type: 'sign_in.success',
      userId: user.id,
      sessionId: started.sessionId,
      client,
      detail: { second_factor: method, ...(pending.ssoIssuer !== null ? { method: 'sso' } : {}) },
    },
    deps.now(),
  );
  await noteSignIn(deps, user, started.sessionId, client);
  deps.events.signIn('success');
  return { userId: user.id, sessionId: started.sessionId, pair: started.pair };
}
