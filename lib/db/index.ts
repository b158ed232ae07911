/** The store and how to open one: the only door into lib/db for the rest of the app. */
import 'server-only';
import { connect, type Connection } from './connection';
import { createPrismaStore } from './prisma-store';
import type { Store } from './store';

export type * from './store';
export { checkHealth } from './health';
export { classifyFault, isVanishedRecord, serviceUnavailable } from './faults';

export type Database = {
  store: Store;
  /**
   * The raw client, for tests and maintenance scripts that arrange or inspect rows. The app itself
   * goes through `store`.
   */
  client: Connection['client'];
  /** Runs a request's database work under one deadline (lib/db/faults.ts). */
  withDeadline: Connection['withDeadline'];
};

export function openDatabase(databaseUrl: string): Database {
  const connection = connect(databaseUrl);
  return {
    store: createPrismaStore(connection),
    client: connection.client,
    withDeadline: connection.withDeadline,
  };
}
