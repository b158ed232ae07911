/**
 * What a new password must satisfy (NIST SP 800-63B: length and a blocklist, not composition
 * rules): at least 8 characters, at most 1 KiB, not the username, not a common password.
 * PASSWORD_RULES (password-rules.ts) is shown beside every password field.
 */
import { COMMON_PASSWORDS } from './common-passwords';
import { PASSWORD_MIN_LENGTH } from './password-rules';

export { PASSWORD_MIN_LENGTH, PASSWORD_RULES } from './password-rules';
/** Bounded so a megabyte "password" cannot be used to burn hashing time. */
export const PASSWORD_MAX_BYTES = 1024;

/** A sentence saying what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, context: { username?: string } = {}): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  const lower = password.toLowerCase();
  if (context.username && lower === context.username.toLowerCase()) return 'must not be the username';
  if (COMMON_PASSWORDS.has(lower)) return 'is one of the most common passwords; choose another';
  return null;
}
