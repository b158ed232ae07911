/**
 * What the account forms show beside their fields, and the numbers behind it. The checks are in
 * lib/users (password-policy.ts, username.ts), which take their limits from here.
 */
export const PASSWORD_MIN_LENGTH = 8;
/** Bytes of UTF-8: bounded so a long "password" cannot be used to burn hashing time. */
export const PASSWORD_MAX_BYTES = 1024;

export const PASSWORD_RULES = [
  `At least ${PASSWORD_MIN_LENGTH} characters (a passphrase of several words is best)`,
  'Not your username',
  'Not one of the passwords attackers try first',
];

export const USERNAME_MAX_LENGTH = 64;

export const USERNAME_RULES = [
  `Up to ${USERNAME_MAX_LENGTH} letters and digits, with . _ @ + - allowed between them, and ordinary accents`,
  'Letters and digits of one writing system (Latin, Cyrillic, Greek, …; Japanese, Chinese and Korean may mix with Latin)',
  'Not a look-alike of an existing name: "a1ice" or a Cyrillic "аlice" is refused when "alice" exists',
];
