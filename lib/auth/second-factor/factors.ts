/**
 * A user's second factors: an authenticator app (TOTP) and its recovery codes. Set-up is two steps
 * (a secret, then a first valid code that proves the app holds it); until confirmed, nothing is
 * guarded by it. Checking a code takes its time step (or recovery code) once, on every instance.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { recordEvent } from '../../audit/audit-log';
import type { UserRecord } from '../../db';
import { AppError } from '../../errors';
import type { AuthDeps, ClientInfo } from '../deps';
import { beginAttempt } from '../sign-in-throttle';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes } from './recovery-codes';
import { formatTotpKey, looksLikeTotp, matchingStep, newTotpKey, totpUri } from './totp';

const random = (bytes: number) => new Uint8Array(randomBytes(bytes));

type Context = { client: ClientInfo; sessionId: string | null };

export type SecondFactorStatus = { totp: 'off' | 'enrolling' | 'on'; recoveryCodesLeft: number };

export async function secondFactorStatus(deps: AuthDeps, userId: string): Promise<SecondFactorStatus> {
  const totp = await deps.store.findTotp(userId);
  const state = totp === null ? 'off' : totp.confirmedAt ? 'on' : 'enrolling';
  return { totp: state, recoveryCodesLeft: state === 'on' ? await deps.store.countUnusedRecoveryCodes(userId) : 0 };
}

/**
 * Wrong codes are counted per account under a name no username can have, with a lock that holds
 * for every address: the password step never clears it, and new addresses do not get around it.
 */
export function beginCodeAttempt(deps: AuthDeps, userId: string, client: ClientInfo) {
  return beginAttempt(deps, deps.throttle, { username: `second factor\0${userId}`, ip: client.ip }, { strict: true });
}

/** Whether signing in with the password takes a second step (an authenticator app). */
export async function hasSecondFactor(deps: AuthDeps, userId: string): Promise<boolean> {
  const totp = await deps.store.findTotp(userId);
  return totp !== null && totp.confirmedAt !== null;
}

/** Whether the account has any second factor: an authenticator app or a passkey (MFA_REQUIRED_FOR_ADMINS). */
export async function hasAnySecondFactor(deps: AuthDeps, userId: string): Promise<boolean> {
  return (await deps.store.usersWithSecondFactor([userId])).has(userId);
}

/** Starts (or restarts) setting up an authenticator app: its key, as typed and as a QR code's URI. */
export async function beginTotp(deps: AuthDeps, user: UserRecord): Promise<{ key: string; uri: string }> {
  const key = newTotpKey(random);
  // Sealed before it is stored: a database dump alone cannot mint codes.
  const outcome = await deps.store.beginTotp(user.id, deps.secrets.seal(key), deps.now());
  if (outcome === 'confirmed') {
    throw new AppError('conflict', 'an authenticator app is already set up; remove it first to set up another');
  }
  return { key: formatTotpKey(key), uri: totpUri(deps.policy.totpIssuer, user.username, key) };
}

/** Confirms the set-up with a first code from the app; answers the recovery codes, shown once. */
export async function confirmTotp(deps: AuthDeps, user: UserRecord, code: string, context: Context): Promise<string[]> {
  const enrolment = await deps.store.findTotp(user.id);
  if (!enrolment || enrolment.confirmedAt) {
    throw new AppError('conflict', enrolment ? 'the authenticator app is already set up' : 'start the set-up first');
  }
  const key = deps.secrets.open(enrolment.secret);
  const step = key && looksLikeTotp(code) ? matchingStep(key, code, deps.now(), enrolment.lastStep) : null;
  if (step === null) {
    await recordEvent(deps.store, { type: 'mfa.totp_enrol_failed', userId: user.id, ...context }, deps.now());
    deps.events.secondFactor('code_failed');
    throw new AppError('invalid_code', 'the code does not match the key being set up; check the device clock');
  }
  const codes = newRecoveryCodes(random);
  const confirmed = await deps.store.confirmTotp(user.id, {
    secret: enrolment.secret,
    step,
    at: deps.now(),
    recoveryCodes: codes.map(hashRecoveryCode),
  });
  // Confirmed by a concurrent request, or restarted meanwhile: this code confirmed nothing.
  if (!confirmed) throw new AppError('conflict', 'the set-up changed meanwhile; start again');
  await recordEvent(
    deps.store,
    { type: 'mfa.totp_enrolled', userId: user.id, actorId: user.id, ...context },
    deps.now(),
  );
  deps.events.secondFactor('totp_enrolled');
  return codes;
}

/** Removes the authenticator app and the recovery codes (the user's own sessions stay). */
export async function removeTotp(deps: AuthDeps, user: UserRecord, context: Context): Promise<void> {
  const { removed } = await deps.store.removeSecondFactors(user.id, { at: deps.now() });
  if (!removed) throw new AppError('not_found', 'no authenticator app is set up');
  await recordEvent(
    deps.store,
    { type: 'mfa.totp_removed', userId: user.id, actorId: user.id, ...context },
    deps.now(),
  );
  deps.events.secondFactor('totp_removed');
}

/** A new set of recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(deps: AuthDeps, user: UserRecord, context: Context): Promise<string[]> {
  if (!(await hasSecondFactor(deps, user.id))) {
    throw new AppError('conflict', 'recovery codes come with an authenticator app: set one up first');
  }
  const codes = newRecoveryCodes(random);
  await deps.store.replaceRecoveryCodes(user.id, codes.map(hashRecoveryCode), deps.now());
  await recordEvent(
    deps.store,
    { type: 'mfa.recovery_codes_generated', userId: user.id, actorId: user.id, ...context },
    deps.now(),
  );
  deps.events.secondFactor('recovery_codes_generated');
  return codes;
}

/**
 * Checks a code from the user's app or one of their recovery codes, taking it: the same code is
 * never accepted twice. Which kind it was, or null when it is neither valid nor unused.
 */
export async function redeemSecondFactor(
  deps: AuthDeps,
  userId: string,
  code: string,
  context: Context,
): Promise<'totp' | 'recovery_code' | null> {
  const now = deps.now();
  if (looksLikeTotp(code)) {
    const totp = await deps.store.findTotp(userId);
    const key = totp?.confirmedAt ? deps.secrets.open(totp.secret) : null;
    const step = key && totp ? matchingStep(key, code, now, totp.lastStep) : null;
    // The conditional update decides between concurrent uses of one code, on any instance.
    if (step !== null && (await deps.store.useTotpStep(userId, step))) {
      // Sealed under AUTH_SECRET_PREVIOUS: sealed anew under the current secret, so the next
      // rotation (which drops the previous one) cannot make it unreadable.
      if (key && totp && !deps.secrets.isCurrent(totp.secret)) {
        await deps.store.resealTotp(userId, totp.secret, deps.secrets.seal(key));
      }
      deps.events.secondFactor('totp_used');
      return 'totp';
    }
    return null;
  }
  if (looksLikeRecoveryCode(code) && (await deps.store.useRecoveryCode(userId, hashRecoveryCode(code), now))) {
    const left = await deps.store.countUnusedRecoveryCodes(userId);
    await recordEvent(deps.store, { type: 'mfa.recovery_code_used', userId, ...context, detail: { left } }, now);
    deps.events.secondFactor('recovery_code_used');
    return 'recovery_code';
  }
  return null;
}
