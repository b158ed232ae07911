/** The password rules as shown beside every password field (checked by password-policy.ts). */
export const PASSWORD_MIN_LENGTH = 8;

export const PASSWORD_RULES = [
  `At least ${PASSWORD_MIN_LENGTH} characters (a passphrase of several words is best)`,
  'Not your username',
  'Not one of the passwords attackers try first',
];
