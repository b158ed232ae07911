/** What a new password must satisfy (NIST SP 800-63B: length over composition rules). */
export const PASSWORD_MIN_LENGTH = 8;
/** Bounded so a megabyte "password" cannot be used to burn hashing time. */
export const PASSWORD_MAX_BYTES = 1024;

/** A sentence saying what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes`;
  return null;
}
