/** The process's database client, created on first use from the configuration. */
import { getConfig } from '../config';
import { createDb, type Db } from './client';

export type { Db, Tx } from './client';

// Kept on globalThis so `next dev` hot reloads do not open a new connection per edit.
const holder = globalThis as unknown as { __staysignedinDb?: Db };

export function getDb(): Db {
  holder.__staysignedinDb ??= createDb(getConfig().databaseUrl);
  return holder.__staysignedinDb;
}
