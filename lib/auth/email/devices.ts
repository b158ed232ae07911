/**
 * New-device alerts. A device is the random id its browser keeps for this purpose (never the IP
 * address, which changes and is shared) together with the browser family. Known devices are their
 * own rows (sessions expire; devices are remembered), so signing in again from a known device
 * raises nothing, and an account's very first device is recorded silently. A sign-in from any
 * other device is audited (`sign_in.new_device`, which the account's other open sessions show as
 * a notice) and, where the account has a verified address and mail is configured, mailed with a
 * single-use "This wasn't me" link that ends that session at once.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { recordEvent } from '../../audit/audit-log';
import { composeMail } from '../../mail/message';
import type { UserRecord } from '../../db';
import { log } from '../../log';
import type { AuthDeps, ClientInfo } from '../deps';
import { describeDevice } from '../../api/device';
import { revokeSession } from '../sessions';
import { createLinkToken, linkUsedOrExpired, takeLinkToken } from './links';

/** Long enough to read the mail after a weekend; the session it ends has its own end anyway. */
const NOT_ME_LINK_SECONDS = 7 * 86_400;

function deviceHash(deviceId: string | null | undefined): string {
  return createHash('sha256')
    .update(`device\0${deviceId ?? 'none'}`)
    .digest('base64url');
}

/**
 * Records the device of a sign-in that just succeeded, and alerts when it is new to the account.
 * Never fails the sign-in it follows (the account may even be deleted meanwhile): a failure to
 * record or alert is logged instead, as for the audit log.
 */
export async function noteSignIn(
  deps: AuthDeps,
  user: Pick<UserRecord, 'id' | 'username' | 'email' | 'emailVerifiedAt'>,
  sessionId: string,
  client: ClientInfo,
): Promise<'known' | 'first' | 'new' | 'unrecorded'> {
  try {
    return await recordAndAlert(deps, user, sessionId, client);
  } catch (error) {
    log.warn('could not record the device of a sign-in', { userId: user.id, sessionId, error: String(error) });
    return 'unrecorded';
  }
}

async function recordAndAlert(
  deps: AuthDeps,
  user: Pick<UserRecord, 'id' | 'username' | 'email' | 'emailVerifiedAt'>,
  sessionId: string,
  client: ClientInfo,
): Promise<'known' | 'first' | 'new'> {
  const device = describeDevice(client.userAgent);
  const now = deps.now();
  const seen = await deps.store.recordDevice(user.id, deviceHash(client.deviceId), device.browser, now);
  if (seen !== 'new') return seen;
  await recordEvent(
    deps.store,
    { type: 'sign_in.new_device', userId: user.id, sessionId, client, detail: { device: device.label } },
    now,
  );
  if (deps.mail && user.email && user.emailVerifiedAt) {
    const token = await createLinkToken(deps, {
      purpose: 'not_me',
      userId: user.id,
      sessionId,
      lifetimeSeconds: NOT_ME_LINK_SECONDS,
    });
    await deps.mail.queue.enqueue(
      composeMail({
        to: user.email,
        subject: 'New sign-in to your account',
        kind: 'new_device',
        userId: user.id,
        paragraphs: [
          `Someone signed in to your account "${user.username}" from a device it had not been used from before.`,
          `When: ${now.toUTCString()}`,
          `Device: ${device.label}`,
          // No place: this server has no database of where addresses are; the address itself helps.
          `Address: ${client.ip ?? 'unknown'}`,
          'If this was you, there is nothing to do. If it was not, end that session now; then change your password.',
        ],
        action: { label: "This wasn't me: end that session", url: `${deps.mail.origin}/login/not-me?token=${token}` },
        footer: 'You get this mail for every sign-in from a new device.',
      }),
    );
  }
  return seen;
}

/**
 * "This wasn't me": ends the session the alert was about (its tab lands on /login within seconds),
 * once; the username, so the page can offer a password reset.
 */
export async function reportNotMe(
  deps: AuthDeps,
  token: string,
  client: ClientInfo,
): Promise<{ username: string; ended: boolean }> {
  const link = await takeLinkToken(deps, token, 'not_me');
  if (!link || !link.sessionId) throw linkUsedOrExpired();
  const user = await deps.store.findUserById(link.userId);
  if (!user) throw linkUsedOrExpired();
  const ended = await revokeSession(deps, link.sessionId, 'user_revoked');
  await recordEvent(
    deps.store,
    {
      type: 'session.reported_not_me',
      userId: user.id,
      actorId: user.id,
      sessionId: link.sessionId,
      client,
      detail: { ended },
    },
    deps.now(),
  );
  return { username: user.username, ended };
}
