/** Single sign-on through an OpenID Provider: request and response bodies (lib/auth/sso). */
import { z } from 'zod';
import { TokenResponse } from './auth';
import { Instant } from './fields';

/** GET /api/auth/oidc: what the sign-in page offers. */
export const SsoStatus = z.object({
  enabled: z.boolean(),
  /** False while the provider cannot be reached (discovery failed): the page says so. */
  available: z.boolean(),
  /** The provider's name, for "Sign in with …". */
  name: z.string().nullable(),
  /** OIDC_ONLY: the password form is for break-glass administrators only. */
  only: z.boolean(),
});
export type SsoStatus = z.infer<typeof SsoStatus>;

/** POST /api/auth/oidc/start, /api/auth/identities/link, /api/auth/reauthenticate/oidc */
export const SsoStartRequest = z.object({ next: z.string().max(2048, 'is too long').optional() });
export type SsoStartRequest = z.infer<typeof SsoStartRequest>;

export const SsoStartResponse = z.object({
  /** Where to send the browser: the provider's authorization endpoint with every parameter. */
  authorization_url: z.url(),
  expires_in: z.number().int().positive(),
});
export type SsoStartResponse = z.infer<typeof SsoStartResponse>;

/** POST /api/auth/oidc/callback: the parameters the provider put on the return to /login/sso. */
export const SsoCallbackRequest = z.object({
  state: z.string({ error: 'is required' }).min(1, 'is required').max(512, 'is too long'),
  code: z.string().min(1).max(2048, 'is too long').optional(),
  iss: z.string().max(2048, 'is too long').optional(),
  error: z.string().max(256, 'is too long').optional(),
  error_description: z.string().max(1024, 'is too long').optional(),
});
export type SsoCallbackRequest = z.infer<typeof SsoCallbackRequest>;

/** A sign-in: the ordinary token response, and where the user was going. */
export const SsoSignInResponse = TokenResponse.extend({
  intent: z.literal('sign_in'),
  next: z.string().nullable(),
});
/** A link from the account page, or a re-authentication: no new session, no token. */
export const SsoLinkResponse = z.object({ intent: z.literal('link'), next: z.string().nullable() });
export const SsoReauthResponse = z.object({
  intent: z.literal('reauth'),
  auth_time: Instant,
  next: z.string().nullable(),
});
export const SsoCallbackResponse = z.discriminatedUnion('intent', [
  SsoSignInResponse,
  SsoLinkResponse,
  SsoReauthResponse,
]);
export type SsoCallbackResponse = z.infer<typeof SsoCallbackResponse>;

export const IdentityView = z.object({
  id: z.string(),
  /** The provider's name (OIDC_DISPLAY_NAME). */
  provider: z.string(),
  /** The e-mail address the provider last said (shown, never used to match). */
  email: z.string().nullable(),
  linkedAt: Instant,
  lastUsedAt: Instant.nullable(),
});
export type IdentityView = z.infer<typeof IdentityView>;

/** GET /api/auth/identities */
export const IdentitiesResponse = z.object({
  identities: z.array(IdentityView),
  /** The configured provider (to link an identity there), or null when single sign-on is off. */
  provider: z.object({ name: z.string(), available: z.boolean() }).nullable(),
  /** Whether the account has a password (one made through single sign-on has none). */
  password: z.boolean(),
});
export type IdentitiesResponse = z.infer<typeof IdentitiesResponse>;

/** POST /api/auth/oidc/backchannel-logout: the provider's logout token (a signed JWT). */
export const BackchannelLogoutRequest = z.object({
  logout_token: z.string({ error: 'is required' }).min(1, 'is required').max(16_384, 'is too long'),
});

/** POST /api/auth/logout, for a session that began through a provider with RP-initiated logout. */
export const LogoutResponse = z.object({
  /** Where to send the browser so that it signs out at the provider too. */
  end_session_url: z.url(),
});
export type LogoutResponse = z.infer<typeof LogoutResponse>;
