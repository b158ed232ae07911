/**
 * How and when a session's user last proved who they are: the sign-in, or a re-authentication
 * since. Access tokens carry it as `auth_time` and `amr` (OpenID Connect Core §2, RFC 8176); a
 * refresh copies it, never renews it (a refreshed token is not a fresh authentication).
 */
import 'server-only';
import { providerName } from './sso/issuer';

/**
 * RFC 8176 authentication method references: those this server issues ('pwd', 'otp', 'hwk',
 * 'swk', 'user', 'mfa') and the rest of the registry, which an OpenID Provider may report.
 */
export type Amr =
  | 'pwd'
  | 'otp'
  | 'hwk'
  | 'swk'
  | 'user'
  | 'mfa'
  | 'face'
  | 'fpt'
  | 'geo'
  | 'iris'
  | 'kba'
  | 'mca'
  | 'pin'
  | 'pop'
  | 'rba'
  | 'retina'
  | 'sc'
  | 'sms'
  | 'tel'
  | 'vbm'
  | 'wia';

const KNOWN: ReadonlySet<string> = new Set<Amr>([
  'pwd',
  'otp',
  'hwk',
  'swk',
  'user',
  'mfa',
  'face',
  'fpt',
  'geo',
  'iris',
  'kba',
  'mca',
  'pin',
  'pop',
  'rba',
  'retina',
  'sc',
  'sms',
  'tel',
  'vbm',
  'wia',
]);

/** What an OpenID Provider said of a sign-in (`amr` of its ID token), kept to the registry's words. */
export function amrFromClaim(claim: unknown): Amr[] {
  if (!Array.isArray(claim)) return [];
  return [...new Set(claim.filter((value): value is Amr => typeof value === 'string' && KNOWN.has(value)))];
}

/** As stored on the session row: the references separated by spaces. */
export function formatAmr(amr: readonly Amr[]): string {
  return amr.join(' ');
}

/** A stored or claimed value back to references; unknown words are dropped, nothing becomes "pwd". */
export function parseAmr(value: string | null | undefined): Amr[] {
  if (value === null || value === undefined) return ['pwd'];
  return value.split(' ').filter((word): word is Amr => KNOWN.has(word));
}

/** A password alone; a password and a one-time code (TOTP or a recovery code). */
export const PASSWORD: readonly Amr[] = ['pwd'];
export const PASSWORD_AND_CODE: readonly Amr[] = ['pwd', 'otp', 'mfa'];

/** How a session signed in, in words (the sessions page); `provider`: through single sign-on there. */
export function methodLabel(amr: readonly Amr[], provider: string | null = null): string {
  if (provider !== null) return `single sign-on (${provider})`;
  if (amr.includes('hwk') || amr.includes('swk')) return 'passkey';
  if (amr.includes('pwd') && amr.includes('otp')) return 'password + code';
  if (amr.includes('otp')) return 'code';
  return 'password';
}

/**
 * How a session signed in, in words: through single sign-on, the provider's name (OIDC_DISPLAY_NAME
 * for the configured one, the host of any other issuer the session remembers).
 */
export function sessionMethod(
  session: { amr: string | null; ssoIssuer: string | null },
  sso: { issuer: string; displayName: string } | null,
): string {
  if (session.ssoIssuer === null) return methodLabel(parseAmr(session.amr));
  return methodLabel(parseAmr(session.amr), providerName(session.ssoIssuer, sso));
}
