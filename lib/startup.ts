/**
 * Runs once when the server process starts (instrumentation.ts), before it serves anything:
 * validate the configuration (exit with every problem listed), create the bootstrap administrator
 * on an empty database, precompute the dummy password hash, and load the revocation feed.
 * Migrations have already been applied by scripts/run-app.mjs.
 */
import { pruneEvents } from './audit/audit-log';
import { type Config, ConfigError } from './config';
import { requestGuardActive } from './http/client-info';
import { log } from './log';
import { getAuthDeps, getConfig, getRevocationFeed, getStore } from './runtime';
import { warmUpPasswordChecks } from './users/passwords';
import { bootstrapAdmin, fillUsernameSkeletons } from './users/users';

const HOUR_MS = 60 * 60 * 1000;

/** Hourly, on every instance (idempotent): old audit events and spent throttle counters go. */
function scheduleMaintenance(config: Config): void {
  const run = async () => {
    const store = getStore();
    const now = Date.now();
    try {
      const events = await pruneEvents(store, config.auditRetentionDays, new Date(now));
      const spent = new Date(now - (config.throttle.windowSeconds + config.throttle.maxLockSeconds) * 1000);
      const throttles = await store.pruneThrottles(spent);
      // Used DPoP proof ids are kept only as long as such a proof could still be accepted.
      const proofs = await store.pruneDpopProofs(new Date(now));
      if (events + throttles + proofs > 0) {
        log.info('pruned old records', { auditEvents: events, throttleCounters: throttles, dpopProofIds: proofs });
      }
    } catch (error) {
      log.warn('pruning old records failed; retrying in an hour', { error: String(error) });
    }
  };
  void run();
  setInterval(() => void run(), HOUR_MS).unref();
}

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
  const admin = await bootstrapAdmin(getStore(), config.admin);
  // Accounts from before look-alike checks get their skeleton (once; a no-op afterwards).
  await fillUsernameSkeletons(getStore());
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
  // Sessions ended recently (here or on another instance) are refused from the first request on.
  await getRevocationFeed().start();
  // Fixes the start-up instant that the grace window of restarted rotations counts from.
  getAuthDeps();
  scheduleMaintenance(config);
}
