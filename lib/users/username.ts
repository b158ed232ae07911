/**
 * Usernames are compared in one canonical form: trimmed, Unicode NFKC, lower-case. "Admin",
 * " admin " and "ａｄｍｉｎ" (full-width) are the same account, so nobody can register a
 * look-alike of an existing name.
 */
export const USERNAME_MAX_LENGTH = 64;

export function normalizeUsername(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

/** A sentence saying what is wrong with a (normalised) username for a new account, or null. */
export function usernameProblem(username: string): string | null {
  if (username.length === 0) return 'must not be empty';
  if (username.length > USERNAME_MAX_LENGTH) return `must be at most ${USERNAME_MAX_LENGTH} characters`;
  if (!/^[\p{L}\p{N}._@+-]+$/u.test(username)) {
    return 'may contain only letters, digits and . _ @ + -';
  }
  return null;
}
