import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@/tests/helpers/database';
import { TEST_PROVIDER, throwawayDatabaseUrl } from '@/tests/helpers/databases';
import { connect, type Connection } from './connection';

let connection: Connection;

// The serial queue exists for SQLite's single connection; PostgreSQL runs transactions on a pool.
describe.skipIf(TEST_PROVIDER !== 'sqlite')('the serialised SQLite connection', () => {
  beforeAll(async () => {
    const { url } = await throwawayDatabaseUrl('serialize');
    migrate(url);
    connection = connect(url);
    await connection.client.$executeRawUnsafe('CREATE TABLE probe (v TEXT)');
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps a write made while another request has a transaction open, even when that transaction rolls back', async () => {
    const failing = connection
      .transaction(async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO probe VALUES ('inside')");
        await sleep(100); // another request arrives meanwhile
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await sleep(20);
    await connection.client.$executeRawUnsafe("INSERT INTO probe VALUES ('outside')");
    expect(await failing).toBe('rolled back');
    expect(await connection.client.$queryRawUnsafe('SELECT v FROM probe')).toEqual([{ v: 'outside' }]);
  });

  it('commits a transaction that completes', async () => {
    await connection.transaction(async (tx) => {
      await tx.$executeRawUnsafe("INSERT INTO probe VALUES ('committed')");
    });
    expect(await connection.client.$queryRawUnsafe("SELECT v FROM probe WHERE v = 'committed'")).toHaveLength(1);
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    expect(await connection.client.$queryRawUnsafe('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await connection.client.$queryRawUnsafe('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1n }]);
  });
});
