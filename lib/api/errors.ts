/**
 * The one table of stable error codes: the HTTP status, the RFC 9457 title and the OAuth `error`
 * member the server answers with, and the message the browser shows for it. Codes are part of the
 * API (clients switch on them: lib/client/refresh-outcome.ts), so never rename one.
 *
 * Client-safe: no server imports. The server raises codes as `AppError(code)` (lib/errors.ts).
 */
export const ERRORS = {
  invalid_request: {
    status: 400,
    title: 'The request is malformed',
    oauth: 'invalid_request',
    message: 'Check what you entered and try again.',
    // Which field and which rule: the server's detail says it best ("new_password: ...").
    showDetail: true,
  },
  unsupported_grant_type: {
    status: 400,
    title: 'Unsupported grant type',
    oauth: 'unsupported_grant_type',
    message: 'This way of signing in is not supported.',
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid username or password',
    oauth: 'invalid_grant',
    message: 'Wrong username or password.',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    oauth: 'invalid_client',
    message: 'Please sign in.',
  },
  invalid_token: {
    status: 401,
    title: 'The token is invalid or expired',
    oauth: 'invalid_grant',
    message: 'Your session has expired. Please sign in again.',
  },
  token_reused: {
    status: 401,
    title: 'Refresh token reuse detected',
    oauth: 'invalid_grant',
    message: 'For your safety you were signed out: your sign-in was used from somewhere else.',
  },
  session_revoked: {
    status: 401,
    title: 'The session has ended',
    oauth: 'invalid_grant',
    message: 'Your session has ended. Please sign in again.',
  },
  account_disabled: {
    status: 403,
    title: 'The account is disabled',
    oauth: 'invalid_grant',
    message: 'This account has been disabled. Ask an administrator to re-enable it.',
  },
  forbidden: { status: 403, title: 'Not allowed', oauth: 'access_denied', message: 'You are not allowed to do this.' },
  not_found: {
    status: 404,
    title: 'Not found',
    oauth: 'invalid_request',
    message: 'That is no longer there; it may have been removed meanwhile.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    oauth: 'invalid_request',
    message: 'Something went wrong on our side. Please try again in a moment.',
  },
  conflict: {
    status: 409,
    title: 'The request conflicts with the current state',
    oauth: 'invalid_request',
    message: 'That conflicts with how things are now.',
    // "that username looks like the existing account ...": the detail is the useful part.
    showDetail: true,
  },
  payload_too_large: {
    status: 413,
    title: 'The request body is too large',
    oauth: 'invalid_request',
    message: 'That is too long.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported content type',
    oauth: 'invalid_request',
    message: 'Something went wrong on our side. Please try again in a moment.',
  },
  // DPoP (RFC 9449): a proof that is missing, malformed or from another key; and "sign again with
  // this nonce" (§8), whose nonce travels in the DPoP-Nonce header.
  invalid_dpop_proof: {
    status: 401,
    title: 'The DPoP proof is invalid',
    oauth: 'invalid_dpop_proof',
    message: "This browser could not prove it holds this sign-in's key. Please sign in again.",
  },
  use_dpop_nonce: {
    status: 400,
    title: 'A DPoP nonce is required',
    oauth: 'use_dpop_nonce',
    message: 'Something went wrong on our side. Please try again in a moment.',
  },
  dpop_required: {
    status: 400,
    title: 'A DPoP-bound session is required',
    oauth: 'invalid_dpop_proof',
    message: 'This browser cannot keep a sign-in key here. Leave private browsing and try again.',
  },
  // Two-step sign-in (Auth0's shape): the password was right, a code must follow, with mfa_token.
  mfa_required: {
    status: 403,
    title: 'A second factor is required',
    oauth: 'mfa_required',
    message: 'Enter the code from your authenticator app.',
  },
  invalid_code: {
    status: 401,
    title: 'The code is wrong or was already used',
    oauth: 'invalid_grant',
    message: 'That code is not right, or it was already used. Wait for a new one and try again.',
  },
  // The pending sign-in behind an mfa_token is gone: expired, used, or too many wrong codes.
  mfa_token_invalid: {
    status: 401,
    title: 'The sign-in step has expired',
    oauth: 'invalid_grant',
    message: 'That took too long, or too many codes were wrong. Sign in again.',
  },
  // RFC 9470 (OAuth 2.0 Step-up Authentication Challenge): the session's authentication is too old.
  reauthentication_required: {
    status: 401,
    title: 'Re-authentication required',
    oauth: 'insufficient_user_authentication',
    message: 'For your security, confirm it is you to continue.',
  },
  // Re-authentication with the password alone, for an account that has a second factor.
  second_factor_required: {
    status: 403,
    title: 'Confirm with the second factor',
    oauth: 'access_denied',
    message: 'This account confirms with a code from your authenticator app, a recovery code or a passkey.',
  },
  mfa_enrollment_required: {
    status: 403,
    title: 'A second factor must be set up first',
    oauth: 'access_denied',
    message: 'Administrators must set up two-step verification first: go to your account page.',
  },
  // Single sign-on (OpenID Connect): the provider cannot be reached or is misconfigured.
  sso_unavailable: {
    status: 503,
    title: 'Single sign-on is unavailable',
    oauth: 'temporarily_unavailable',
    message: 'Signing in through your identity provider is unavailable right now. Try again later.',
  },
  // The return from the provider does not hold: state, binding, code, PKCE or the ID token.
  sso_failed: {
    status: 400,
    title: 'Single sign-on did not complete',
    oauth: 'invalid_grant',
    message: 'Signing in through your identity provider did not complete. Start again.',
  },
  sso_not_linked: {
    status: 403,
    title: 'No account is linked to this identity',
    oauth: 'access_denied',
    message:
      'No account here is linked to that identity. Ask an administrator, or sign in another way and link it on your account page.',
  },
  sso_identity_in_use: {
    status: 409,
    title: 'The identity is linked to another account',
    oauth: 'invalid_request',
    message: 'That identity is already linked to another account here.',
  },
  last_sign_in_method: {
    status: 409,
    title: 'The last way to sign in cannot be removed',
    oauth: 'invalid_request',
    message: 'This is your only way to sign in. Add a password or a passkey first.',
  },
  password_sign_in_disabled: {
    status: 403,
    title: 'Password sign-in is turned off',
    oauth: 'access_denied',
    message: 'Signing in with a password is turned off here: use single sign-on.',
  },
  // A link from a mail that was used, has expired, or was voided (by a newer one, a password change).
  link_invalid: {
    status: 400,
    title: 'The link is no longer valid',
    oauth: 'invalid_grant',
    message: 'This link was already used, has expired, or was replaced by a newer one. Ask for a new one.',
  },
  too_many_attempts: {
    status: 429,
    title: 'Too many attempts',
    oauth: 'slow_down',
    message: 'Too many attempts.',
  },
  internal_error: {
    status: 500,
    title: 'Something went wrong on our side',
    oauth: 'server_error',
    message: 'Something went wrong on our side. Please try again in a moment.',
  },
  service_unavailable: {
    status: 503,
    title: 'The service is temporarily unavailable',
    oauth: 'temporarily_unavailable',
    message: 'The server is busy. Please try again in a moment.',
  },
} as const satisfies Record<
  string,
  { status: number; title: string; oauth: string; message: string; showDetail?: boolean }
>;

export type ErrorCode = keyof typeof ERRORS;

/** Failures the browser meets without an answer from the server. */
export const CLIENT_FAILURES = {
  network: 'Cannot reach the server. Check your connection and try again.',
  timeout: 'The server did not answer in time. Check your connection and try again.',
  not_ready: 'Still loading; try again.',
  passkey_cancelled: 'The passkey prompt was closed. Try again, or sign in with your password.',
} as const;
export type ClientFailure = keyof typeof CLIENT_FAILURES;

/** Where a message is shown, when that changes what it should say. */
export type MessageContext = 'sign-in' | 'password' | 'ended';

/** The few codes whose message depends on where it is shown. */
const IN_CONTEXT: Partial<Record<MessageContext, Partial<Record<ErrorCode, string>>>> = {
  'sign-in': { invalid_request: 'Enter your username and password.' },
  password: { invalid_credentials: 'The current password is not right.' },
  ended: { account_disabled: 'This account has been disabled.' },
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/**
 * What to tell the person about a failed request: the table's message for the problem's code (in
 * context), the server's detail for the codes whose detail is the point, a wait for 429s.
 */
export function userMessage(
  problem: { code?: unknown; detail?: unknown } | null,
  options: { context?: MessageContext; retryAfterSeconds?: number | null } = {},
): string {
  const code = problem?.code;
  if (!isErrorCode(code)) return ERRORS.internal_error.message;
  const entry: { message: string; showDetail?: boolean } = ERRORS[code];
  const inContext = options.context ? IN_CONTEXT[options.context]?.[code] : undefined;
  if (inContext) return inContext;
  if (entry.showDetail && typeof problem?.detail === 'string' && problem.detail !== '') return problem.detail;
  if (code === 'too_many_attempts') {
    const seconds = options.retryAfterSeconds ?? 0;
    const what = options.context === 'sign-in' ? 'Too many sign-in attempts.' : entry.message;
    return seconds > 0
      ? `${what} Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`
      : `${what} Try again later.`;
  }
  return entry.message;
}
