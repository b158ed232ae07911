/**
 * The Prisma client for the embedded SQLite database, one per process.
 * Rust-free client + better-sqlite3 driver adapter (see DESIGN "Prisma offline").
 */
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { databaseDeadline, withFaultHandling } from './faults';
import { PrismaClient } from './generated/client';
import { sqliteFilePath } from './location';
import { SerialQueue } from './serialize';
import { SqliteFileWatch } from './sqlite-file-watch';

/**
 * better-sqlite3 waits for another process's lock *synchronously*, blocking the event loop: keep
 * that wait to a few milliseconds and retry asynchronously instead (faults.ts).
 */
const BUSY_TIMEOUT_MS = 2;

function connect(databaseUrl: string) {
  const file = sqliteFilePath(databaseUrl);
  const adapter = new PrismaBetterSQLite3({ url: file, timeout: BUSY_TIMEOUT_MS });
  const queue = new SerialQueue();
  const watch = file === ':memory:' ? null : new SqliteFileWatch(file);
  const base = new PrismaClient({ adapter });

  /** One database operation: in turn, retried while busy, 503 when it cannot be done in time. */
  function guarded<T>(work: () => Promise<T>): Promise<T> {
    // The request's deadline (or one from now), so time spent queued is part of it.
    const deadline = databaseDeadline();
    return queue.run(() =>
      withFaultHandling(() => {
        watch?.assertPresent();
        return work();
      }, deadline),
    );
  }

  return base.$extends({
    name: 'serialize-sqlite',
    // Every query waits for the open transaction (if any) to finish: see serialize.ts.
    query: { $allOperations: ({ args, query }) => guarded(() => query(args)) },
    client: {
      /** An interactive transaction that no other request's query can slip into; retried whole. */
      $serialTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
        return guarded(() => base.$transaction((tx) => work(tx as unknown as Tx)));
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
