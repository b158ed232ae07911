// Start-up waits for a database that does not answer yet instead of serving half-started: in
// compose, a replica's first query can come before the database's name resolves or while it is
// still starting (seen in the container test: getaddrinfo EAI_AGAIN right after the migrations).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import { migrate } from '@/tests/helpers/database';
import { startOwnPostgres, type OwnPostgres } from '@/tests/helpers/tls-proxy';
import { createPasswords } from '../users/passwords';
import { bootstrapAdmin } from '../users/users';
import { withDatabase } from './start';

let postgres: OwnPostgres;
let database: Database;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  migrate(postgres.url);
  database = openDatabase(postgres.url);
}, 60_000);

afterAll(async () => {
  await database?.store.close();
  postgres?.close();
});

describe('withDatabase', () => {
  it('retries start-up work until the database answers, and does it once', async () => {
    postgres.stop();
    const users = { store: database.store, passwords: createPasswords() };
    const comesBack = new Promise<void>((resolve) =>
      setTimeout(() => {
        postgres.start();
        resolve();
      }, 2500),
    );
    const admin = await withDatabase('bootstrap administrator', () =>
      bootstrapAdmin(users, { username: 'admin', password: 'start-up test password' }),
    );
    await comesBack;
    expect(admin.created).toBe(true);
    expect(await database.store.countUsers()).toBe(1);
  }, 30_000);
});
