/** The audit log as the API serves it (GET /api/audit), and every event type with its label. */
import { z } from 'zod';
import { Instant, LIMITS, limitParam, optionalLooseText } from './fields';

/** Every kind of audit event, with what a person reading the log is told (docs/security.md lists when each is written). */
export const AUDIT_EVENTS = {
  'sign_in.success': 'Signed in',
  'sign_in.failure': 'Sign-in failed',
  'sign_in.disabled': 'Sign-in refused: the account is disabled',
  'sign_in.throttled': 'Sign-in throttled (too many failures)',
  'refresh.reuse_detected': 'A used refresh token was replayed; session ended',
  'refresh.dpop_refused': "A refresh without a proof from the session's browser key was refused",
  'session.revoked': 'Session ended',
  'password.changed': 'Password changed',
  'password.change_failed': 'Password change refused: wrong current password',
  'access.denied': 'A request for something this account may not do was refused',
  'request.dpop_refused': "A change without a proof from the session's browser key was refused",
  'request.cross_site_refused': "A sign-in, refresh or sign-out from another site's page was refused",
  'user.created': 'User created',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.deleted': 'User deleted',
  'user.role_changed': 'Role changed',
  'user.password_reset': 'Password reset by an administrator',
  'user.email_changed': 'E-mail address changed',
  'email.verification_sent': 'A link to verify a new e-mail address was sent',
  'password.reset_requested': "A password-reset link was sent to the account's address",
  'password.reset_by_email': 'Password reset through a link sent by e-mail (every session ended)',
  'sign_in.new_device': 'Signed in from a device this account had not used before',
  'session.reported_not_me': '"This wasn\'t me": the session a new-device alert was about was ended',
  'user.second_factors_reset': "Second factors reset by an administrator (the user's sessions ended)",
  'sign_in.second_factor_required': 'Password accepted; the second factor was asked for',
  'sign_in.second_factor_failed': 'Sign-in refused: wrong authenticator or recovery code',
  'mfa.totp_enrolled': 'Authenticator app set up',
  'mfa.totp_enrol_failed': 'Authenticator app set-up refused: wrong code',
  'mfa.totp_removed': 'Authenticator app removed',
  'mfa.recovery_codes_generated': 'New recovery codes made (the old ones stopped working)',
  'mfa.recovery_code_used': 'A recovery code was used',
  'passkey.registered': 'Passkey added',
  'passkey.register_failed': 'Passkey not added: the browser answer did not verify',
  'passkey.renamed': 'Passkey renamed',
  'passkey.removed': 'Passkey removed',
  'passkey.failure': 'Passkey sign-in refused: the answer did not verify',
  'passkey.counter_regressed': 'Passkey refused: its signature counter went backwards (a cloned key?)',
  'reauth.success': 'Re-authenticated before a sensitive action',
  'reauth.failure': 'Re-authentication refused',
  'reauth.required': 'A sensitive action waited for re-authentication',
  'sso.failure': 'Single sign-on refused (state, browser, code, ID token, or no linked account)',
  'sso.linked': 'An identity at the identity provider was linked to the account',
  'sso.unlinked': 'An identity at the identity provider was unlinked from the account',
  'sso.role_kept': "The identity provider's groups would have demoted the last administrator; role kept",
  'sso.backchannel_logout': 'The identity provider signed the user out (back-channel logout); sessions ended',
  'sso.logout_refused': 'A back-channel logout token was refused',
} as const;

export type AuditType = keyof typeof AUDIT_EVENTS;

export const AUDIT_TYPES = Object.keys(AUDIT_EVENTS) as AuditType[];

/** GET /api/audit?type=&user=&account=&before=&limit= (administrators: `user` an id, `account` a username) */
export const AuditQuery = z.object({
  type: z.enum(AUDIT_TYPES as [AuditType, ...AuditType[]]).optional(),
  user: optionalLooseText(LIMITS.search),
  account: optionalLooseText(LIMITS.username),
  // Event ids are 32-bit integers in the database.
  before: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  limit: limitParam(200, 50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEventView = z.object({
  id: z.number().int(),
  at: Instant,
  type: z.string(),
  /** Whose account the event is about. */
  userId: z.string().nullable(),
  /** Who did it (an administrator, the user themself), when not the user. */
  actorId: z.string().nullable(),
  sessionId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  /** The account it concerns, by name (null: none, or deleted since). */
  username: z.string().nullable(),
  /** Who did it: the account's user, an administrator (named), the system, or someone not signed in. */
  actor: z.object({ kind: z.enum(['user', 'admin', 'system', 'anonymous']), username: z.string().nullable() }),
  /** For a failed sign-in: the username as it was typed (to be shown escaped). */
  attempted: z.string().nullable(),
  /** The browser and system, from the user agent. */
  device: z.string().nullable(),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

/** Newest first; `next` is the `before` cursor of the next page. */
export const AuditPage = z.object({ events: z.array(AuditEventView), next: z.number().int().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
