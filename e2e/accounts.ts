/** Arranges accounts directly in the e2e server's database, through the app's own modules. */
import { openDatabase } from '../lib/db';
import { createPasswords } from '../lib/users/passwords';
import { createUser } from '../lib/users/users';
import { E2E } from './helpers';

export async function createDisabledUser(username: string, password: string): Promise<void> {
  const { store, client } = openDatabase(E2E.databaseUrl);
  try {
    const user = await createUser({ store, passwords: createPasswords() }, { username, password });
    await client.user.update({ where: { id: user.id }, data: { disabled: true } });
  } finally {
    await store.close();
  }
}

/** A new, enabled account for one spec (specs run in parallel: each uses its own). */
export async function createAccount(
  username: string,
  password: string,
  role: 'admin' | 'user' = 'user',
): Promise<void> {
  const { store } = openDatabase(E2E.databaseUrl);
  try {
    await createUser({ store, passwords: createPasswords() }, { username, password, role });
  } finally {
    await store.close();
  }
}
