/** What an account may do: administrators manage users; everyone else manages only themselves. */
import 'server-only';
import type { Role } from '../api/fields';

export type { Role };

export const ROLES: readonly Role[] = ['admin', 'user'];

/** Reads a role stored as text; anything unknown is treated as the least privileged role. */
export function asRole(value: string): Role {
  return value === 'admin' ? 'admin' : 'user';
}
