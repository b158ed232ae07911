/**
 * A forgotten password, reset through a link sent to the account's verified address.
 *
 * - The request (a username or an address) always gets the same answer, after the same time, so it
 *   tells nobody whether an account exists or has an address; it is throttled per address and per
 *   name typed. The link is single use, valid PASSWORD_RESET_MINUTES, stored as a hash, and bound
 *   to the account's password as it was: a reset or a change since voids every older link.
 * - Following it sets a new password (the account page's policy), ends every session of the
 *   account, and signs this device in, through the second factor if the account has one (an
 *   e-mail inbox alone must not be enough to pass two-step verification). Audited.
 */
import 'server-only';
import { recordEvent } from '../../audit/audit-log';
import { composeMail } from '../../mail/message';
import type { UserRecord } from '../../db';
import { AppError } from '../../errors';
import { normalizeUsername } from '../../users/username';
import { passwordProblem } from '../../users/password-policy';
import type { AuthDeps, ClientInfo } from '../deps';
import { isRefused, type PresentedProof } from '../dpop';
import { hasSecondFactor } from '../second-factor/factors';
import { startPendingSignIn } from '../second-factor/pending';
import { newPasswordRefused, replacePassword } from '../password-change';
import { newSession, firstPair } from '../sessions';
import { beginAttempt } from '../sign-in-throttle';
import type { TokenPair } from '../token-pair';
import { noteSignIn } from './devices';
import { createLinkToken, linksSentInLastHour, peekLinkToken, takeLinkToken } from './links';

/** Every request answers after at least this long: the work done for an account hides in it. */
export const RESET_ANSWER_MS = 400;
/** At most this many reset mails to one account an hour, whoever asks and from wherever. */
const RESET_MAILS_PER_HOUR = 3;

/**
 * Whether a reset may give this account a password: never for a disabled one; never for one
 * without a password (it signs in through the identity provider or a passkey, which a mailbox
 * must not replace); and with OIDC_ONLY, only for the break-glass administrators.
 */
function mayReset(deps: AuthDeps, user: UserRecord): boolean {
  if (user.disabled || user.passwordHash === '') return false;
  return !(deps.policy.sso?.only && user.role !== 'admin');
}

/** Asks for a reset link; resolves the same way, in the same time, for any login. */
export async function requestPasswordReset(deps: AuthDeps, login: string, client: ClientInfo): Promise<void> {
  const started = Date.now();
  const typed = normalizeUsername(login);
  try {
    // Counted per address and per name typed, the name's lock holding for every address; and
    // at most RESET_MAILS_PER_HOUR mails to one account: a flood of requests cannot fill an inbox.
    const attempt = await beginAttempt(
      deps,
      deps.throttle,
      { username: typed, ip: client.ip, scope: 'password_reset' },
      { strict: true },
    );
    await attempt.failed();
    const user = deps.mail ? await deps.store.findUserByLogin(typed) : null;
    if (
      deps.mail &&
      user &&
      user.email &&
      user.emailVerifiedAt &&
      mayReset(deps, user) &&
      (await linksSentInLastHour(deps, user.id, 'password_reset')) < RESET_MAILS_PER_HOUR
    ) {
      // Only the newest link works: one found in an old mail (or an old mailbox) does not.
      await deps.store.voidEmailTokens(user.id, 'password_reset', deps.now());
      const token = await createLinkToken(deps, {
        purpose: 'password_reset',
        userId: user.id,
        passwordChangedAt: user.passwordChangedAt,
        lifetimeSeconds: deps.policy.passwordResetSeconds,
      });
      const minutes = Math.round(deps.policy.passwordResetSeconds / 60);
      await deps.mail.queue.enqueue(
        composeMail({
          to: user.email,
          subject: 'Reset your password',
          kind: 'password_reset',
          userId: user.id,
          paragraphs: [
            `Someone (you, we hope) asked to reset the password of "${user.username}".`,
            `The link works once, for ${minutes} minutes. Setting a new password signs you out everywhere else.`,
            'If you did not ask for this, ignore this mail: your password stays as it is.',
          ],
          action: { label: 'Choose a new password', url: `${deps.mail.origin}/login/reset?token=${token}` },
        }),
      );
      await recordEvent(deps.store, { type: 'password.reset_requested', userId: user.id, client }, deps.now());
    }
  } finally {
    // The same time whatever happened (a 429 too): no answer says which accounts exist or have an address.
    const wait = RESET_ANSWER_MS - (Date.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export type ResetOutcome =
  | { signedIn: true; userId: string; sessionId: string; pair: TokenPair }
  | { signedIn: false; mfaToken: string; expiresIn: number };

/** Follows a reset link: the new password, every session ended, and this device signed in. */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; newPassword: string },
  client: ClientInfo,
  proof: PresentedProof,
): Promise<ResetOutcome> {
  if (isRefused(proof)) throw proof.refused;
  const invalid = () =>
    new AppError('link_invalid', 'this link was already used, has expired, or was replaced by a newer one');
  const link = await peekLinkToken(deps, input.token, 'password_reset');
  const user = link ? await deps.store.findUserById(link.userId) : null;
  // Bound to the password as it was: a change or another reset since voids the link.
  if (
    !link ||
    !user ||
    !mayReset(deps, user) ||
    link.passwordChangedAt?.getTime() !== user.passwordChangedAt.getTime()
  ) {
    throw invalid();
  }
  // Checked before the link is used up: a weak password must not cost the user their link.
  const problem = passwordProblem(input.newPassword, { username: user.username });
  if (problem) throw newPasswordRefused(problem);
  if (!(await takeLinkToken(deps, input.token, 'password_reset'))) throw invalid();
  const now = deps.now();
  const guarded = await hasSecondFactor(deps, user.id);
  // The device continues in a new session (bound to the proof's key), unless a second factor must come first.
  const session = newSession(deps, user.id, client, now, proof?.jkt ?? null);
  const ended = await replacePassword(deps, user, session, {
    newPassword: input.newPassword,
    reason: 'password_reset',
    event: 'password.reset_by_email',
    client,
  });
  if (ended === null) throw invalid();
  if (guarded) {
    // The new session is not handed out: the second factor starts one of its own.
    await deps.store.revokeSession(session.id, 'logout', now);
    const changed = await deps.store.findUserById(user.id);
    if (!changed) throw invalid();
    const pending = await startPendingSignIn(deps, changed, now, proof?.jkt ?? null);
    return { signedIn: false, mfaToken: pending.mfaToken, expiresIn: pending.expiresIn };
  }
  await noteSignIn(deps, user, session.id, client);
  return { signedIn: true, userId: user.id, sessionId: session.id, pair: firstPair(deps, user, session) };
}
