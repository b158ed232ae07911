/**
 * Hourly, on every instance (idempotent): old audit events, spent throttle counters and used DPoP
 * proof ids go. (The revocation log is pruned by the feed itself.)
 */
import 'server-only';
import { pruneEvents } from '../audit/audit-log';
import { log } from '../log';
import type { App } from './app';

const HOUR_MS = 60 * 60 * 1000;

export async function pruneOldRecords(app: App, now = app.auth.now()): Promise<void> {
  const { store } = app.database;
  const { config } = app;
  try {
    const events = await pruneEvents(store, config.auditRetentionDays, now);
    const spent = new Date(now.getTime() - (config.throttle.windowSeconds + config.throttle.maxLockSeconds) * 1000);
    const throttles = await store.pruneThrottles(spent);
    // Used DPoP proof ids are kept only as long as such a proof could still be accepted.
    const proofs = await store.pruneDpopProofs(now);
    if (events + throttles + proofs > 0) {
      log.info('pruned old records', { auditEvents: events, throttleCounters: throttles, dpopProofIds: proofs });
    }
  } catch (error) {
    log.warn('pruning old records failed; retrying in an hour', { error: String(error) });
  }
}

export function scheduleMaintenance(app: App): void {
  void pruneOldRecords(app);
  setInterval(() => void pruneOldRecords(app), HOUR_MS).unref();
}
