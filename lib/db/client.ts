/**
 * The Prisma client for the embedded SQLite database, one per process.
 * Rust-free client + better-sqlite3 driver adapter (see DESIGN "Prisma offline").
 */
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client';
import { sqliteFilePath } from './location';
import { SerialQueue } from './serialize';

function connect(databaseUrl: string) {
  // timeout: wait up to 5 s for another process's write lock instead of failing with SQLITE_BUSY.
  const adapter = new PrismaBetterSQLite3({ url: sqliteFilePath(databaseUrl), timeout: 5000 });
  const queue = new SerialQueue();
  const base = new PrismaClient({ adapter });
  return base.$extends({
    name: 'serialize-sqlite',
    // Every query waits for the open transaction (if any) to finish: see serialize.ts.
    query: { $allOperations: ({ args, query }) => queue.run(() => query(args)) },
    client: {
      /** An interactive transaction that no other request's query can slip into. */
      $serialTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
        return queue.run(() => base.$transaction((tx) => work(tx as unknown as Tx)));
      },
    },
  });
}

export type Db = ReturnType<typeof connect>;
/** The client handed to a transaction's callback. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export function createDb(databaseUrl: string): Db {
  return connect(databaseUrl);
}

/** Settings that belong to the connection: WAL lets readers run while one writer commits. */
export async function tuneSqlite(db: Db): Promise<void> {
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
}
