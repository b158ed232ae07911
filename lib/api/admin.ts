/** The bodies of the administrators' endpoints (/api/admin/users). */
import { z } from 'zod';
import { Instant, LIMITS, limitParam, optionalLooseText, optionalText, requiredText, Role } from './fields';

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  role: z.string(),
  disabled: z.boolean(),
  /** The account's e-mail address (lower-cased), and whether it was verified (or set by an administrator). */
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  /** False for an account made through single sign-on: it has no password. */
  hasPassword: z.boolean(),
  /** Signing in takes a second factor (an authenticator app); listed users only. */
  secondFactor: z.boolean().optional(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type UserView = z.infer<typeof UserView>;

/** GET /api/admin/users?search=&limit= */
export const ListUsersQuery = z.object({ search: optionalLooseText(LIMITS.search), limit: limitParam(500, 100) });
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export const UsersResponse = z.object({ users: z.array(UserView) });
export type UsersResponse = z.infer<typeof UsersResponse>;

/** An e-mail address, lower-cased (unique case-insensitively). */
export const EmailAddress = z
  .string()
  .trim()
  .max(LIMITS.email, 'is too long')
  .pipe(z.email({ error: 'is not an e-mail address' }))
  .transform((email) => email.toLowerCase());

/**
 * POST /api/admin/users: answered 201 with the UserView. Without a password (only where single
 * sign-on is configured) the account signs in through the identity provider.
 */
export const NewUserRequest = z.object({
  username: requiredText(LIMITS.username),
  password: optionalText(LIMITS.password),
  role: Role.default('user'),
  email: EmailAddress.optional(),
});
export type NewUserRequest = z.input<typeof NewUserRequest>;

/** PATCH /api/admin/users/{id}: at least one change; `current_password` for one's own password. */
export const UserChangesRequest = z
  .object({
    disabled: z.boolean().optional(),
    role: Role.optional(),
    password: optionalText(LIMITS.password),
    current_password: optionalText(LIMITS.password),
    /** A new address (counts as verified: an administrator set it), or null to remove it. */
    email: EmailAddress.nullable().optional(),
  })
  .refine(
    (changes) => [changes.disabled, changes.role, changes.password, changes.email].some((value) => value !== undefined),
    'name at least one change',
  );
export type UserChangesRequest = z.infer<typeof UserChangesRequest>;
