/**
 * One connection to the database DATABASE_URL names, with the two rules every query obeys:
 * - a fault (lock, outage, vanished file) becomes 503 within the request's deadline (faults.ts);
 * - on SQLite, queries run one at a time on the single connection (serialize.ts), and the file
 *   under the server is watched (sqlite-file-watch.ts).
 * `transaction()` is the one transaction primitive, correct on both providers.
 */
import 'server-only';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { classifyFault, DatabaseScope, withFaultHandling } from './faults';
import { PrismaClient as PostgresClient } from './generated/postgresql/client';
import { type Prisma, PrismaClient as SqliteClient } from './generated/sqlite/client';
import { providerOf, sqliteFilePath } from './location';
import { postgresRefreshStatements, sqliteRefreshStatements, type RefreshStatements } from './refresh-statements';
import { SerialQueue } from './serialize';
import { SqliteFileWatch } from './sqlite-file-watch';
import type { Provider } from './store';

/** Both providers' generated clients have the same API; the SQLite one names the type. */
export type Client = InstanceType<typeof SqliteClient>;
export type TxClient = Prisma.TransactionClient;

export type Connection = {
  provider: Provider;
  /** Single queries, each one operation under the rules above. */
  client: Client;
  transaction: <T>(work: (tx: TxClient) => Promise<T>) => Promise<T>;
  /** Runs a request's database work under one deadline (every query of it shares the budget). */
  withDeadline: <T>(work: () => Promise<T>) => Promise<T>;
  /** The refresh path in plain SQL on the same connection (refresh-statements.ts). */
  refresh: RefreshStatements;
  close: () => Promise<void>;
};

/**
 * better-sqlite3 waits for another process's lock *synchronously*, blocking the event loop: keep
 * that wait to a few milliseconds and retry asynchronously instead (faults.ts).
 */
const SQLITE_BUSY_TIMEOUT_MS = 2;

function everyQueryAs(base: Client, operation: <T>(work: () => Promise<T>) => Promise<T>): Client {
  return base.$extends({
    name: 'operation',
    query: { $allOperations: ({ args, query }) => operation(() => query(args)) },
  }) as unknown as Client;
}

function connectSqlite(databaseUrl: string): Connection {
  const file = sqliteFilePath(databaseUrl);
  const factory = new PrismaBetterSQLite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  // The refresh path's statements run on the very connection Prisma opens (one connection: no
  // lock contention between two, and ':memory:' works). The adapter keeps it as `client`.
  let handle: BetterSqlite3.Database | undefined;
  const capturing: typeof factory = Object.assign(Object.create(factory) as typeof factory, {
    connect: async () => {
      const adapter = await factory.connect();
      handle = (adapter as unknown as { client: BetterSqlite3.Database }).client;
      return adapter;
    },
  });
  const base = new SqliteClient({ adapter: capturing });
  const scope = new DatabaseScope();
  const queue = new SerialQueue(scope);
  const watch = file === ':memory:' ? null : new SqliteFileWatch(file);
  // Settings of the connection itself, applied before its first query. WAL lets readers run while
  // one writer commits; foreign keys make deleting a user take its sessions with it.
  let tuned: Promise<unknown> | undefined;
  let tunedDone = false;
  const tune = () =>
    (tuned ??= base
      .$queryRawUnsafe('PRAGMA journal_mode = WAL')
      .then(() => base.$queryRawUnsafe('PRAGMA synchronous = NORMAL'))
      .then(() => base.$queryRawUnsafe('PRAGMA foreign_keys = ON'))
      .then(() => (tunedDone = true))
      .catch((error: unknown) => {
        tuned = undefined; // try again with the next query
        throw error;
      }));

  /**
   * A synchronous statement (the refresh path's): at once when the queue is free and the
   * connection tuned, which spares a refresh its turns through the queue; through `operation`
   * (queued, retried while busy, 503 in the end) when it is not, or when the database is busy.
   */
  function statement<T>(work: () => T): Promise<T> {
    if (tunedDone && queue.free()) {
      try {
        watch?.assertPresent();
        return Promise.resolve(work());
      } catch (error) {
        // Not run: the queued path retries it, or answers 503. Other errors are the caller's.
        if (classifyFault(error) === null)
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return operation(async () => work());
  }

  /** One operation: in turn, retried while busy, 503 when it cannot be done in time. */
  function operation<T>(work: () => Promise<T>): Promise<T> {
    // The request's deadline (or one from now), so time spent queued is part of it.
    const deadline = scope.deadline();
    return queue.run(() =>
      withFaultHandling(async () => {
        watch?.assertPresent();
        await tune();
        return work();
      }, deadline),
    );
  }

  return {
    provider: 'sqlite',
    client: everyQueryAs(base, operation),
    withDeadline: (work) => scope.within(work),
    // An interactive transaction that no other request's query can slip into; retried whole.
    transaction: (work) => operation(() => base.$transaction((tx) => work(tx))),
    refresh: sqliteRefreshStatements((work) =>
      statement(() => {
        if (!handle?.open) throw new Error('the SQLite connection is not open');
        return work(handle);
      }),
    ),
    close: () => base.$disconnect(),
  };
}

function connectPostgres(databaseUrl: string): Connection {
  // One pool for Prisma and the refresh path's plain statements.
  // A database host that vanished (a stopped container's address) never answers a connect: give
  // up in 3 s so the attempt frees its place in the pool (requests have their own 1 s deadline).
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 3000, keepAlive: true });
  // An idle connection the server drops (a restart) must not crash the process; the next query
  // reconnects, and a query that fails is a 503 (faults.ts).
  pool.on('error', () => undefined);
  const base = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as Client;
  const scope = new DatabaseScope();
  const operation = <T>(work: () => Promise<T>) => withFaultHandling(work, scope.deadline());
  return {
    provider: 'postgresql',
    client: everyQueryAs(base, operation),
    withDeadline: (work) => scope.within(work),
    // Read committed is enough: every atomic step is a conditional update that re-checks its
    // condition after waiting for a concurrent writer.
    transaction: (work) => operation(() => base.$transaction((tx) => work(tx))),
    refresh: postgresRefreshStatements((work) => operation(() => work(pool)), pg.types),
    close: async () => {
      await base.$disconnect();
      await pool.end();
    },
  };
}

export function connect(databaseUrl: string): Connection {
  return providerOf(databaseUrl) === 'sqlite' ? connectSqlite(databaseUrl) : connectPostgres(databaseUrl);
}

/**
 * A plain client for maintenance scripts (db:copy): no request deadline, no queue, no retries,
 * so a long transaction is allowed to take as long as it takes. Never used to serve requests.
 */
export function maintenanceClient(databaseUrl: string): Client {
  if (providerOf(databaseUrl) === 'postgresql') {
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Client;
  }
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFilePath(databaseUrl) }) });
}
