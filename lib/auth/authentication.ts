/**
 * How and when a session's user last proved who they are: the sign-in, or a re-authentication
 * since. Access tokens carry it as `auth_time` and `amr` (OpenID Connect Core §2, RFC 8176); a
 * refresh copies it, never renews it (a refreshed token is not a fresh authentication).
 */
import 'server-only';

/** RFC 8176 authentication method references this server issues. */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa';

const KNOWN: ReadonlySet<string> = new Set<Amr>(['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa']);

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

/** How a session signed in, in words (the sessions page). */
export function methodLabel(amr: readonly Amr[]): string {
  if (amr.includes('hwk') || amr.includes('swk')) return 'passkey';
  if (amr.includes('pwd') && amr.includes('otp')) return 'password + code';
  if (amr.includes('otp')) return 'code';
  return 'password';
}
