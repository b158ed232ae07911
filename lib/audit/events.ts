/** Every kind of audit event, with what a person reading the log is told. */
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
  'access.denied': 'An administrator action was refused (not an administrator)',
  'request.dpop_refused': "A change without a proof from the session's browser key was refused",
  'request.cross_site_refused': "A sign-in, refresh or sign-out from another site's page was refused",
  'user.created': 'User created',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.deleted': 'User deleted',
  'user.role_changed': 'Role changed',
  'user.password_reset': 'Password reset by an administrator',
} as const;

export type AuditType = keyof typeof AUDIT_EVENTS;

export const AUDIT_TYPES = Object.keys(AUDIT_EVENTS) as AuditType[];
