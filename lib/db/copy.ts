/**
 * Copies every row of one database into another, empty and migrated one: the move from SQLite to
 * PostgreSQL (npm run db:copy, scripts/db-copy.ts). The source is read from a snapshot the caller
 * took; the target is written in one transaction, so it ends up with all of it or nothing.
 */
import 'server-only';
import type { Client, TxClient } from './connection';
import type { Provider } from './store';

/**
 * Every table of the schema, parents before the rows that reference them, with the field rows are
 * ordered by. A test holds this list equal to the models of prisma/schema.prisma.
 */
export const COPIED_TABLES = [
  { model: 'User', delegate: 'user', key: 'id' },
  { model: 'Session', delegate: 'session', key: 'id' },
  { model: 'TotpFactor', delegate: 'totpFactor', key: 'userId' },
  { model: 'RecoveryCode', delegate: 'recoveryCode', key: 'id' },
  { model: 'Passkey', delegate: 'passkey', key: 'id' },
  { model: 'PendingSignIn', delegate: 'pendingSignIn', key: 'id' },
  { model: 'ExternalIdentity', delegate: 'externalIdentity', key: 'id' },
  { model: 'SsoLogin', delegate: 'ssoLogin', key: 'id' },
  { model: 'EmailToken', delegate: 'emailToken', key: 'id' },
  { model: 'KnownDevice', delegate: 'knownDevice', key: 'id' },
  { model: 'MailOutbox', delegate: 'mailOutbox', key: 'id' },
  { model: 'Revocation', delegate: 'revocation', key: 'id', serial: true },
  { model: 'SignInThrottle', delegate: 'signInThrottle', key: 'key' },
  { model: 'DpopProof', delegate: 'dpopProof', key: 'id' },
  { model: 'AuditEvent', delegate: 'auditEvent', key: 'id', serial: true },
  { model: 'HealthProbe', delegate: 'healthProbe', key: 'id' },
] as const;

export type RowCounts = Record<(typeof COPIED_TABLES)[number]['model'], number>;

/** Rows read and written per query. */
const BATCH = 500;

type Delegate = {
  count(): Promise<number>;
  findMany(args: {
    orderBy: Record<string, 'asc'>;
    take: number;
    skip?: number;
    cursor?: Record<string, unknown>;
  }): Promise<Record<string, unknown>[]>;
  createMany(args: { data: Record<string, unknown>[] }): Promise<{ count: number }>;
};

function delegate(client: Client | TxClient, name: string): Delegate {
  return (client as unknown as Record<string, Delegate>)[name]!;
}

export async function countRows(client: Client | TxClient): Promise<RowCounts> {
  const counts = {} as RowCounts;
  for (const table of COPIED_TABLES) counts[table.model] = await delegate(client, table.delegate).count();
  return counts;
}

export class TargetNotEmptyError extends Error {}

/**
 * Copies all rows of `source` into `target`. Refuses a target that holds any row: a copy merges
 * nothing, it moves one whole database. Returns the counts copied (equal on both sides).
 */
export async function copyDatabase(source: Client, target: Client, targetProvider: Provider): Promise<RowCounts> {
  return target.$transaction(
    async (tx) => {
      const present = Object.entries(await countRows(tx)).filter(([, count]) => count > 0);
      if (present.length > 0) {
        throw new TargetNotEmptyError(
          `the target database is not empty (${present.map(([table, count]) => `${table} ${count}`).join(', ')})`,
        );
      }
      for (const table of COPIED_TABLES) {
        let cursor: unknown;
        for (;;) {
          const rows = await delegate(source, table.delegate).findMany({
            orderBy: { [table.key]: 'asc' },
            take: BATCH,
            ...(cursor === undefined ? {} : { skip: 1, cursor: { [table.key]: cursor } }),
          });
          if (rows.length === 0) break;
          await delegate(tx, table.delegate).createMany({ data: rows });
          cursor = rows[rows.length - 1]![table.key];
        }
        if ('serial' in table && targetProvider === 'postgresql') {
          // Rows came with their ids; the next id PostgreSQL hands out must come after them.
          await tx.$executeRawUnsafe(
            `SELECT setval(pg_get_serial_sequence('"${table.model}"', '${table.key}'), COALESCE((SELECT MAX("${table.key}") FROM "${table.model}"), 0) + 1, false)`,
          );
        }
      }
      const copied = await countRows(tx);
      const expected = await countRows(source);
      // The snapshot does not change under us; if the counts differ, something was not copied.
      if (JSON.stringify(copied) !== JSON.stringify(expected)) {
        throw new Error(`copied ${JSON.stringify(copied)}, expected ${JSON.stringify(expected)}`);
      }
      return copied;
    },
    { maxWait: 10_000, timeout: 60 * 60 * 1000 },
  );
}
