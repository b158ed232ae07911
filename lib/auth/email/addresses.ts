/**
 * An account's e-mail address. Set by its user, it is used for nothing until a single-use link
 * sent to it is followed (verification); set by an administrator, it counts as verified. Either way
 * the address it replaces is told. Addresses are unique among accounts, case-insensitively (they
 * are stored lower-cased).
 */
import 'server-only';
import { recordEvent } from '../../audit/audit-log';
import { composeMail } from '../../mail/message';
import type { UserRecord } from '../../db';
import { AppError } from '../../errors';
import type { AuthDeps, ClientInfo } from '../deps';
import { createLinkToken, linksSentInLastHour, linkUsedOrExpired, takeLinkToken } from './links';

/** A day: a verification is not urgent, and the address is not used until it is done. */
const VERIFY_LINK_SECONDS = 86_400;

function mailOff(): AppError {
  return new AppError('not_found', 'this server sends no mail (SMTP_URL is not set); ask an administrator');
}

/**
 * After an account's address changed: reset links sent to the old one stop working (that mailbox
 * is no longer the account's), and the old address is told (nothing to follow: just the news).
 */
export async function addressReplaced(
  deps: AuthDeps,
  user: Pick<UserRecord, 'id' | 'username'>,
  previous: string | null,
  next: string | null,
): Promise<void> {
  await deps.store.voidEmailTokens(user.id, 'password_reset', deps.now());
  if (!deps.mail || previous === null || previous === next) return;
  await deps.mail.queue.enqueue(
    composeMail({
      to: previous,
      subject: 'The e-mail address of your account changed',
      kind: 'email_changed',
      userId: user.id,
      paragraphs: [
        next === null
          ? `The account "${user.username}" no longer has an e-mail address.`
          : `The account "${user.username}" now uses another e-mail address; mail for it will no longer come here.`,
        'If you did not make this change, sign in and check your sessions, or ask an administrator.',
      ],
    }),
  );
}

/** At most this many verification mails an hour for one account: an inbox is not a target. */
const VERIFY_MAILS_PER_HOUR = 5;

/**
 * The user asks to use `email`: a link to verify it goes there; nothing changes until it is
 * followed. The answer is the same whether or not another account has the address (the mail that
 * goes there says so instead): a signed-in user cannot probe which addresses have accounts.
 */
export async function requestAddressChange(
  deps: AuthDeps,
  caller: { user: UserRecord; sessionId: string; client: ClientInfo },
  email: string,
): Promise<void> {
  if (!deps.mail) throw mailOff();
  const { user, client } = caller;
  if (user.email === email && user.emailVerifiedAt) throw new AppError('conflict', 'this is already your address');
  const now = deps.now();
  if ((await linksSentInLastHour(deps, user.id, 'verify_email')) >= VERIFY_MAILS_PER_HOUR) {
    throw new AppError('too_many_attempts', 'too many addresses asked for in the last hour; try again later', {
      retryAfter: 3600,
    });
  }
  const owner = await deps.store.findUserByEmail(email);
  // Only the newest request's link works.
  await deps.store.voidEmailTokens(user.id, 'verify_email', now);
  // Made (and counted) either way; the link goes out only for an address free to take.
  const token = await createLinkToken(deps, {
    purpose: 'verify_email',
    userId: user.id,
    email,
    lifetimeSeconds: VERIFY_LINK_SECONDS,
  });
  const taken = owner !== null && owner.id !== user.id;
  await deps.mail.queue.enqueue(
    taken
      ? composeMail({
          to: email,
          subject: 'Confirm your e-mail address',
          kind: 'verify_email',
          userId: user.id,
          paragraphs: [
            'Someone asked to use this address for an account here, but another account already uses it, and an address belongs to one account only.',
            'Nothing changed. If you did not ask for this, ignore this mail.',
          ],
        })
      : composeMail({
          to: email,
          subject: 'Confirm your e-mail address',
          kind: 'verify_email',
          userId: user.id,
          paragraphs: [
            `Confirm that this address belongs to the account "${user.username}".`,
            'Until you do, it is not used for anything. If you did not ask for this, ignore this mail.',
          ],
          action: { label: 'Confirm this address', url: `${deps.mail.origin}/login/verify-email?token=${token}` },
        }),
  );
  await recordEvent(
    deps.store,
    {
      type: 'email.verification_sent',
      userId: user.id,
      actorId: user.id,
      sessionId: caller.sessionId,
      client,
      ...(taken ? { detail: { address: 'in_use' } } : {}),
    },
    now,
  );
}

/** Follows a verification link: the address becomes the account's, verified; the old one is told. */
export async function verifyAddress(deps: AuthDeps, token: string, client: ClientInfo): Promise<{ email: string }> {
  const link = await takeLinkToken(deps, token, 'verify_email');
  const user = link ? await deps.store.findUserById(link.userId) : null;
  if (!link?.email || !user) throw linkUsedOrExpired();
  const now = deps.now();
  const set = await deps.store.setEmail(user.id, link.email, { at: now, by: 'user' });
  if (set === 'not_found') throw linkUsedOrExpired();
  if (set === 'taken') throw new AppError('conflict', 'that e-mail address belongs to another account now');
  await recordEvent(
    deps.store,
    { type: 'user.email_changed', userId: user.id, actorId: user.id, client, detail: { by: 'user' } },
    now,
  );
  await addressReplaced(deps, user, user.email, link.email);
  return { email: link.email };
}
