/**
 * The driver adapter `prisma migrate deploy` uses for PostgreSQL (prisma.config.ts only; the app's
 * own client needs none of this). With the JavaScript schema engine, @prisma/adapter-pg 6.19 cannot
 * deserialise the catalog types `"char"` (OID 18) and `name` (OID 19) that the engine's
 * introspection queries return ("Column type 'name' could not be deserialized"); reporting them as
 * `text` (OID 25) is exact for what the engine reads: short identifier strings.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const TEXT = 25;
const AS_TEXT = new Set([18, 19]);
let patched = false;

type Result = { fields?: { dataTypeID: number }[] };

function asText<T>(result: T): T {
  for (const field of (result as Result | undefined)?.fields ?? []) {
    if (AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT;
  }
  return result;
}

function patchClientQuery(): void {
  if (patched) return;
  patched = true;
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function query(this: unknown, ...args: unknown[]) {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) =>
        (callback as (e: unknown, r: unknown) => void)(error, error ? result : asText(result));
      return original.apply(this, args);
    }
    const outcome = original.apply(this, args);
    return outcome instanceof Promise ? outcome.then(asText) : outcome;
  };
}

/** Discrete connection settings (not connectionString), as the migration engine needs them. */
export function postgresConnection(databaseUrl: string): pg.PoolConfig {
  const url = new URL(databaseUrl);
  return {
    host: decodeURIComponent(url.hostname),
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
  };
}

export function postgresMigrationAdapter(databaseUrl: string): PrismaPg {
  patchClientQuery();
  // allowExitOnIdle: idle pooled connections do not keep the finished CLI alive (see also
  // scripts/prisma-cli-timers.cjs for the engine's own timer).
  return new PrismaPg({ ...postgresConnection(databaseUrl), allowExitOnIdle: true });
}
