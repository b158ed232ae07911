/**
 * Runs once when the server process starts (instrumentation.ts), before it serves anything:
 * validate the configuration (exit with every problem listed), build and install the App, create
 * the bootstrap administrator on an empty database, precompute the dummy password hash, and load
 * the revocation feed. Migrations have already been applied by scripts/run-app.mjs.
 */
import 'server-only';
import { ConfigError, parseConfig, type Config } from '../config';
import { requestGuardActive } from '../http/client-info';
import { log } from '../log';
import { bootstrapAdmin, fillUsernameSkeletons } from '../users/users';
import { createApp, type App } from './app';
import { scheduleMaintenance } from './maintenance';
import { installApp } from './process-app';

/**
 * How long start-up keeps trying a database that does not answer yet (a container name not yet
 * resolvable, a server still starting) before it gives up and exits, so that whatever runs it
 * (compose, systemd) starts it again. Migrations reached it moments before, so this is brief.
 */
export const DATABASE_WAIT_MS = 60_000;

/**
 * Start-up work on the database, retried while the database does not answer. Each step is
 * idempotent (the administrator is created only on an empty database). Never serving half-started:
 * past the wait, the process exits.
 */
export async function withDatabase<T>(step: string, work: () => Promise<T>, waitMs = DATABASE_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() >= deadline) {
        log.error('the database did not answer during start-up; exiting so the server can be started again', {
          step,
          error: String(error),
        });
        process.exit(1);
      }
      log.warn('the database does not answer yet; retrying', { step, attempt, error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 2000)));
    }
  }
}

function configOrExit(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\nThe server cannot start. ${error.message}\n\nSee docs/configuration.md for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
}

export async function startServer(): Promise<App> {
  const config = configOrExit();
  // The start-up instant, which the grace window of rotations lost in a crash counts from (rule 6).
  const app = installApp(createApp(config, { startedAt: new Date() }));
  if (!config.trustProxy && !requestGuardActive()) {
    log.warn(
      'the request guard is not loaded (start the server with `npm start` / scripts/run-app.mjs): client addresses are unknown, so sign-in throttling counts by username only, and body limits are not enforced before Next.js reads bodies',
    );
  }
  if (config.secretGenerated) {
    log.warn('AUTH_SECRET is not set; using a development secret kept in the data directory', {
      dataDir: config.dataDir,
    });
  }
  const users = { store: app.database.store, passwords: app.passwords };
  const admin = await withDatabase('bootstrap administrator', () => bootstrapAdmin(users, config.admin));
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
  // Accounts from before look-alike checks get their skeleton (once; a no-op afterwards).
  await withDatabase('username skeletons', () => fillUsernameSkeletons(app.database.store));
  await app.passwords.warmUp();
  // Sessions ended recently (here or on another instance) are refused from the first request on.
  await app.revocations.start();
  scheduleMaintenance(app);
  // Mail queued by any instance (or before a restart) goes out from here too.
  app.mail?.start();
  // Not awaited: a provider that is down must not keep the app (and its password sign-in) from
  // serving. Until discovery succeeds, sign-in through it answers sso_unavailable (and retries).
  if (app.sso) {
    const sso = app.sso;
    void sso.discover().then((status) => {
      if (status.available) log.info('single sign-on is ready', { issuer: sso.settings.issuer });
    });
  }
  return app;
}
