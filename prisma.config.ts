// Prisma CLI configuration. The JavaScript schema engine plus a driver adapter lets
// `prisma migrate deploy` run without the native engines (they cannot be downloaded offline).
import nextEnv from '@next/env';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL, sqliteFilePath } from './lib/db/location';

// Same .env files as `next start`/`next dev`, so the CLI migrates the database the app uses.
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations/sqlite' },
  adapter: async () =>
    new PrismaBetterSQLite3({ url: sqliteFilePath(process.env.DATABASE_URL || DEFAULT_DATABASE_URL) }),
});
