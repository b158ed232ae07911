/** What the auth functions need, passed in so tests can use their own database and clock. */
import 'server-only';
import type { Store } from '../db';
import type { Passwords } from '../users/passwords';
import type { NonceService } from './dpop-nonce';
import type { RevocationFeed } from './revocation-feed';
import type { Challenges } from './passkeys/challenges';
import type { SecretBox } from './second-factor/secret-box';
import type { TokenService } from './tokens';
import type { MailQueue } from '../mail/outbox';

/** Sign-in throttling (sign-in-throttle.ts): when an address or a username is locked, and for how long. */
export type ThrottlePolicy = {
  windowSeconds: number;
  addressMaxFailures: number;
  usernameMaxFailures: number;
  lockSeconds: number;
  maxLockSeconds: number;
};

export type AuthPolicy = {
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  sessionMaxAgeSeconds: number;
  reuseGraceSeconds: number;
  /** DPoP: sign-in without a proof is refused (DPOP_REQUIRED). */
  dpopRequired: boolean;
  /** DPoP: refresh proofs must carry a server nonce (DPOP_NONCES). */
  dpopNonces: boolean;
  /** DPoP: a bound session's access tokens are bound too, and every API call proves the key. */
  dpopAccessTokens: boolean;
  /** How long a password-reset link works (PASSWORD_RESET_MINUTES). */
  passwordResetSeconds: number;
  /** Sensitive actions need an authentication this recent (REAUTH_MAX_AGE_MINUTES). */
  reauthMaxAgeSeconds: number;
  /** Administrators must have a second factor before any admin action (MFA_REQUIRED_FOR_ADMINS). */
  mfaRequiredForAdmins: boolean;
  /** The name authenticator apps show next to the account (TOTP_ISSUER). */
  totpIssuer: string;
  /** Passkeys: the relying party (APP_ORIGIN's host and origin); null when passkeys are off. */
  relyingParty: { id: string; origin: string; name: string } | null;
  /**
   * Single sign-on: the OpenID Provider's issuer and the name people know it by, and whether only
   * administrators may still sign in with a password (OIDC_ONLY); null when off.
   */
  sso: { issuer: string; displayName: string; only: boolean } | null;
};

export type SignInOutcome =
  'success' | 'invalid_credentials' | 'throttled' | 'account_disabled' | 'second_factor_required' | 'invalid_code';
export type RefreshOutcome = 'rotated' | 'grace_reissue' | 'reuse_detected' | 'refused';
export type SecondFactorEvent =
  | 'totp_enrolled'
  | 'totp_removed'
  | 'recovery_codes_generated'
  | 'totp_used'
  | 'recovery_code_used'
  | 'code_failed'
  | 'reauthenticated'
  | 'reauth_failed'
  | 'reset_by_admin'
  | 'passkey_registered'
  | 'passkey_removed'
  | 'passkey_used'
  | 'passkey_failed';

/** What the auth functions report as they go: the operators' metrics listen (lib/metrics). */
export type AuthEvents = {
  signIn(outcome: SignInOutcome): void;
  refresh(outcome: RefreshOutcome): void;
  sessionsEnded(reason: string, count: number): void;
  secondFactor(event: SecondFactorEvent): void;
};

/** For tests and tools that do not count anything. */
export const IGNORED_EVENTS: AuthEvents = { signIn() {}, refresh() {}, sessionsEnded() {}, secondFactor() {} };

export type AuthDeps = {
  store: Store;
  tokens: TokenService;
  passwords: Passwords;
  policy: AuthPolicy;
  throttle: ThrottlePolicy;
  /** This instance's memory of ended sessions: a revocation made here is effective at once. */
  revocations: Pick<RevocationFeed, 'add' | 'isRevoked'>;
  /** DPoP server nonces, the same on every instance (derived from AUTH_SECRET). */
  nonces: NonceService;
  /** Seals TOTP secrets at rest (a key derived from AUTH_SECRET). */
  secrets: SecretBox;
  /** WebAuthn challenges: signed, and taken once on every instance. */
  challenges: Challenges;
  events: AuthEvents;
  /** Mail (SMTP_URL): the outbox, and where the links in a message point; null when off. */
  mail: { queue: MailQueue; origin: string } | null;
  now: () => Date;
  /**
   * When this process started serving. A token whose use was recorded before it may be a rotation
   * whose response was lost in a crash: its grace window counts from here (rule 6).
   */
  startedAt: Date;
};

/**
 * Where a request came from, kept on the session for the user's session list; `deviceId` is the
 * random id the browser keeps to be recognised as a known device (new-device alerts), if it sent one.
 */
export type ClientInfo = { userAgent: string | null; ip: string | null; deviceId?: string | null };
