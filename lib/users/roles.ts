import type { Role } from '../auth/tokens';

/** Reads a role stored as text; anything unknown is treated as the least privileged role. */
export function asRole(value: string): Role {
  return value === 'admin' ? 'admin' : 'user';
}
