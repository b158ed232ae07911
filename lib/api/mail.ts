/** E-mail: addresses, forgotten passwords, new-device alerts (lib/auth/email), as the API takes them. */
import { z } from 'zod';
import { EmailAddress } from './admin';
import { Instant, LIMITS, requiredText } from './fields';

/** POST /api/auth/password-reset: a username or an e-mail address. */
export const PasswordResetRequest = z.object({ login: requiredText(LIMITS.username) });
/** The same answer for every login, known or not. */
export const PasswordResetAccepted = z.object({ status: z.literal('sent_if_known') });
export type PasswordResetAccepted = z.infer<typeof PasswordResetAccepted>;

/** A single-use link's token, as it came in the mail. */
const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a link token');

/** POST /api/auth/password-reset/confirm: the link's token and the new password. */
export const PasswordResetConfirm = z.object({
  token: LinkToken,
  new_password: requiredText(LIMITS.password),
});

/** POST /api/auth/email: the address to verify and then use. */
export const EmailChangeRequest = z.object({ email: EmailAddress });
export const EmailChangeAccepted = z.object({ pending: z.string() });
export type EmailChangeAccepted = z.infer<typeof EmailChangeAccepted>;

/** POST /api/auth/email/verify and POST /api/auth/not-me: the link's token. */
export const LinkRequest = z.object({ token: LinkToken });
export const EmailVerified = z.object({ email: z.string() });
export type EmailVerified = z.infer<typeof EmailVerified>;
export const NotMeResponse = z.object({
  /** The account, so the page can offer its password reset. */
  username: z.string(),
  /** False when the session had already ended. */
  ended: z.boolean(),
});
export type NotMeResponse = z.infer<typeof NotMeResponse>;

/** A sign-in from a new device, as the account's other sessions are told (GET /api/auth/me). */
export const DeviceAlert = z.object({
  id: z.number().int(),
  at: Instant,
  device: z.string(),
  ip: z.string().nullable(),
  /** The session it started (to end it from here). */
  sessionId: z.string().nullable(),
});
export type DeviceAlert = z.infer<typeof DeviceAlert>;

/** GET /api/admin/mail: the outbox, for administrators. */
export const MailBacklog = z.object({
  enabled: z.boolean(),
  waiting: z.number().int(),
  failed: z.number().int(),
  recent: z.array(
    z.object({
      id: z.string(),
      to: z.string(),
      subject: z.string(),
      kind: z.string(),
      createdAt: Instant,
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      nextAttemptAt: Instant.nullable(),
      failedAt: Instant.nullable(),
    }),
  ),
});
export type MailBacklog = z.infer<typeof MailBacklog>;
