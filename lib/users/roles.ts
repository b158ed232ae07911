import type { Role } from '../auth/tokens';

export const ROLES = ['admin', 'user'] as const satisfies readonly Role[];

/** Reads a role stored as text; anything unknown is treated as the least privileged role. */
export function asRole(value: string): Role {
  return value === 'admin' ? 'admin' : 'user';
}
