/**
 * What a new password must satisfy (NIST SP 800-63B: length and a blocklist, not composition
 * rules): at least 8 characters, at most 1 KiB, not the username, not a common password.
 * PASSWORD_RULES (lib/api/account-rules.ts) is shown beside every password field.
 */
import 'server-only';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../api/account-rules';
import { COMMON_PASSWORDS } from './common-passwords';

/** A sentence saying what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, context: { username?: string } = {}): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  const lower = password.toLowerCase();
  if (context.username && lower === context.username.toLowerCase()) return 'must not be the username';
  if (COMMON_PASSWORDS.has(lower)) return 'is one of the most common passwords; choose another';
  return null;
}
