// Prisma CLI configuration, for the provider that DATABASE_URL selects. The JavaScript schema
// engine plus a driver adapter lets `prisma migrate deploy` run without the native engines (they
// cannot be downloaded offline).
import nextEnv from '@next/env';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL, sqliteFilePath } from './lib/db/location';
import { postgresMigrationAdapter } from './lib/db/postgres-migration-adapter';
import { migrationsPath, providerOf, schemaPath } from './scripts/prisma-schemas.mjs';

// Same .env files as `next start`/`next dev`, so the CLI migrates the database the app uses.
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production');

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const provider = providerOf(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: schemaPath(provider),
  migrations: { path: migrationsPath(provider) },
  adapter: async () =>
    provider === 'sqlite' ? new PrismaBetterSQLite3({ url: sqliteFilePath(url) }) : postgresMigrationAdapter(url),
});
