/** The bodies of the auth endpoints (sign-in, refresh, sign-out, who am I, sessions, password). */
import { z } from 'zod';
import { DeviceAlert } from './mail';
import { Instant, LIMITS, optionalLooseText, requiredText } from './fields';

/** POST /api/auth/token: the OAuth 2.0 password grant's shape, form or JSON. */
export const SignInRequest = z.object({
  grant_type: z.string().optional(),
  username: requiredText(LIMITS.username),
  password: requiredText(LIMITS.password),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

/** POST /api/auth/mfa: the second step of a sign-in, with the mfa_token of the first. */
export const MfaSignInRequest = z.object({
  mfa_token: requiredText(LIMITS.token),
  /** Six digits from the authenticator app, or a recovery code. */
  code: requiredText(LIMITS.code),
});
export type MfaSignInRequest = z.infer<typeof MfaSignInRequest>;

/** The 403 mfa_required problem's members beyond RFC 9457's. */
export const MfaRequiredProblem = z.object({
  code: z.literal('mfa_required'),
  mfa_token: z.string(),
  expires_in: z.number(),
  factors: z.array(z.enum(['totp', 'recovery_code'])),
  /** After a single sign-on: the page the user was going to (`next` of the start), for after the code. */
  next: z.string().nullable().optional(),
});
export type MfaRequiredProblem = z.infer<typeof MfaRequiredProblem>;

/**
 * A browser's WebAuthn answer (navigator.credentials get or create, as JSON): its shape only; the
 * server's WebAuthn library checks every byte of it.
 */
export const WebAuthnResponse = z
  .object({
    id: requiredText(LIMITS.token),
    rawId: requiredText(LIMITS.token),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  })
  .passthrough();
export type WebAuthnResponse = z.infer<typeof WebAuthnResponse>;

/** POST /api/auth/reauthenticate: the password, a code from the authenticator app, or a passkey. */
export const ReauthRequest = z.union([
  z.strictObject({ password: requiredText(LIMITS.password) }),
  z.strictObject({ code: requiredText(LIMITS.code) }),
  z.strictObject({ passkey: WebAuthnResponse }),
]);
export type ReauthRequest = z.infer<typeof ReauthRequest>;

/** The answer to a re-authentication: when it counts from. */
export const ReauthResponse = z.object({ auth_time: Instant });
export type ReauthResponse = z.infer<typeof ReauthResponse>;

/** GET /api/auth/totp. */
export const SecondFactorsResponse = z.object({
  totp: z.enum(['off', 'enrolling', 'on']),
  recovery_codes_left: z.number().int(),
});
export type SecondFactorsResponse = z.infer<typeof SecondFactorsResponse>;

/** POST /api/auth/totp: a key to set up, as typed and as a QR code (SVG). */
export const TotpSetupResponse = z.object({ key: z.string(), otpauth_uri: z.string(), qr_svg: z.string() });
export type TotpSetupResponse = z.infer<typeof TotpSetupResponse>;

/** POST /api/auth/totp/confirm. */
export const CodeRequest = z.object({ code: requiredText(LIMITS.code) });
export type CodeRequest = z.infer<typeof CodeRequest>;

/** Recovery codes, shown once: after the set-up, and when made anew. */
export const RecoveryCodesResponse = z.object({ recovery_codes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponse>;

/** POST /api/auth/passkey: sign in with a passkey (the answer to /api/auth/passkey/options). */
export const PasskeySignInRequest = z.object({ response: WebAuthnResponse });

/** A passkey as the account page lists it. */
export const PasskeyView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
  /** Synced between devices by its provider (a multi-device passkey). */
  synced: z.boolean(),
});
export type PasskeyView = z.infer<typeof PasskeyView>;

/** GET /api/auth/passkeys. */
export const PasskeysResponse = z.object({ enabled: z.boolean(), passkeys: z.array(PasskeyView) });
export type PasskeysResponse = z.infer<typeof PasskeysResponse>;

const PasskeyName = z.string().trim().min(1, 'is required').max(64, 'is too long');

/** POST /api/auth/passkeys: register the answer to /api/auth/passkeys/options under a name. */
export const NewPasskeyRequest = z.object({ name: PasskeyName, response: WebAuthnResponse });

/** PATCH /api/auth/passkeys/{id}. */
export const RenamePasskeyRequest = z.object({ name: PasskeyName });

/** POST /api/auth/refresh. */
export const RefreshRequest = z.object({
  grant_type: z.string().optional(),
  refresh_token: requiredText(LIMITS.token),
});
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** POST /api/auth/logout: the refresh token, if the client still has it (the access token comes as Bearer). */
export const LogoutRequest = z.object({ refresh_token: optionalLooseText(LIMITS.token) });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

/** The answer to a sign-in, a refresh and a password change (RFC 6749 §5.1). */
export const TokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  /** 'DPoP' when the access token is bound to the browser key too (DPOP_ACCESS_TOKENS). */
  token_type: z.enum(['bearer', 'DPoP']),
  /** Seconds from when the answer arrived (never compare `exp` with the device clock). */
  expires_in: z.number(),
  refresh_expires_in: z.number(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** GET /api/auth/me. */
export const MeResponse = z.object({
  id: z.string(),
  username: z.string(),
  role: z.string(),
  session: z.object({
    id: z.string(),
    createdAt: Instant,
    lastUsedAt: Instant,
    expiresAt: Instant,
    /** The last authentication (sign-in or re-authentication), and how the session signed in. */
    authenticatedAt: Instant,
    method: z.string(),
  }),
  /** Whether sign-in takes a second step for this account. */
  secondFactor: z.boolean(),
  /** The account's e-mail address, whether it is verified, and whether this server sends mail. */
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  mail: z.boolean(),
  /** Sign-ins from new devices since this session began, from other sessions (newest first). */
  alerts: z.array(DeviceAlert),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const Device = z.object({ browser: z.string(), os: z.string(), label: z.string() });
export type Device = z.infer<typeof Device>;

/** One of the caller's sessions, as GET /api/auth/sessions lists them. */
export const SessionView = z.object({
  id: z.string(),
  current: z.boolean(),
  device: Device,
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: Instant,
  lastUsedAt: Instant,
  expiresAt: Instant,
  /** Bound to a key in that browser (DPoP): a copy of its refresh token is useless elsewhere. */
  keyBound: z.boolean(),
  /** How it signed in: "password", "password + code", "passkey". */
  method: z.string(),
});
export type SessionView = z.infer<typeof SessionView>;

export const SessionsResponse = z.object({ sessions: z.array(SessionView) });
export type SessionsResponse = z.infer<typeof SessionsResponse>;

/** POST /api/auth/sessions/revoke-others. */
export const RevokeOthersResponse = z.object({ revoked: z.number().int() });
export type RevokeOthersResponse = z.infer<typeof RevokeOthersResponse>;

/** POST /api/auth/password: answered with a TokenResponse for this device's new session. */
export const PasswordChangeRequest = z.object({
  current_password: requiredText(LIMITS.password),
  new_password: requiredText(LIMITS.password),
});
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequest>;

/** GET /api/health. */
export const HealthResponse = z.object({ status: z.literal('ok') });
