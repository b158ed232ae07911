import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '@/tests/helpers/database';
import type { Db } from './client';

let db: Db;

beforeAll(async () => {
  ({ db } = await createTestDb('serialize'));
  await db.$executeRawUnsafe('CREATE TABLE probe (v TEXT)');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the serialised SQLite client', () => {
  it('keeps a write made while another request has a transaction open, even when that transaction rolls back', async () => {
    const failing = db
      .$serialTransaction(async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO probe VALUES ('inside')");
        await sleep(100); // another request arrives meanwhile
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await sleep(20);
    await db.$executeRawUnsafe("INSERT INTO probe VALUES ('outside')");
    expect(await failing).toBe('rolled back');
    expect(await db.$queryRawUnsafe('SELECT v FROM probe')).toEqual([{ v: 'outside' }]);
  });

  it('commits a transaction that completes', async () => {
    await db.$serialTransaction(async (tx) => {
      await tx.$executeRawUnsafe("INSERT INTO probe VALUES ('committed')");
    });
    expect(await db.$queryRawUnsafe("SELECT v FROM probe WHERE v = 'committed'")).toHaveLength(1);
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    expect(await db.$queryRawUnsafe('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.$queryRawUnsafe('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1n }]);
  });
});
