/**
 * Runs once when the server process starts (instrumentation.ts), before it serves anything:
 * validate the configuration (exit with every problem listed), tune the database, create the
 * bootstrap administrator on an empty database, and precompute the dummy password hash.
 * Migrations have already been applied by scripts/run-app.mjs.
 */
import { ConfigError, getConfig } from './config';
import { getDb } from './db';
import { tuneSqlite } from './db/client';
import { warmUpPasswordChecks } from './auth/passwords';
import { getAuthDeps } from './auth/runtime';
import { log } from './log';
import { bootstrapAdmin } from './users/users';

export async function startServer(): Promise<void> {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\nThe server cannot start. ${error.message}\n\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.secretGenerated) {
    log.warn('AUTH_SECRET is not set; using a development secret kept in the data directory', {
      dataDir: config.dataDir,
    });
  }
  const db = getDb();
  await tuneSqlite(db);
  const admin = await bootstrapAdmin(db, config.admin);
  if (admin.generatedPassword) {
    // Printed once, on the console only: it is not stored anywhere in clear text.
    console.log(
      [
        '',
        '  ┌──────────────────────────────────────────────────────────────',
        `  │ Created the administrator "${config.admin.username}" with the password:`,
        `  │     ${admin.generatedPassword}`,
        '  │ It is shown only this once. Sign in and keep it somewhere safe.',
        '  └──────────────────────────────────────────────────────────────',
        '',
      ].join('\n'),
    );
  }
  await warmUpPasswordChecks();
  // Fixes the start-up instant that the grace window of restarted rotations counts from.
  getAuthDeps();
}
