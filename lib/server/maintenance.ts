/**
 * Hourly, on every instance (idempotent): sessions that ended long enough ago, old audit events,
 * spent throttle counters, used DPoP proof ids and expired second-step sign-ins go. (The revocation log is pruned by the feed
 * itself.) What each table keeps, and for how long: docs/operations.md.
 */
import 'server-only';
import { pruneEvents } from '../audit/audit-log';
import { log } from '../log';
import type { App } from './app';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export async function pruneOldRecords(app: App, now = app.auth.now()): Promise<void> {
  const { store } = app.database;
  const { config } = app;
  try {
    const events = await pruneEvents(store, config.auditRetentionDays, now);
    // An ended session's row goes; its audit events stay for their own retention. A token of it
    // then gets the same 401 as any token the server does not know.
    const sessions = await store.pruneSessions(new Date(now.getTime() - config.sessionRetentionDays * DAY_MS));
    const spent = new Date(now.getTime() - (config.throttle.windowSeconds + config.throttle.maxLockSeconds) * 1000);
    const throttles = await store.pruneThrottles(spent);
    // Used DPoP proof ids are kept only as long as such a proof could still be accepted.
    const proofs = await store.pruneDpopProofs(now);
    // A sign-in waiting for its second factor is of no use once its minutes are up.
    const pending = await store.prunePendingSignIns(now);
    // So is a single sign-on the browser never came back from.
    const ssoLogins = await store.pruneSsoLogins(now);
    // Links from mail, once they can no longer be followed; sent mail after a day (its body is
    // already gone), mail given up after the audit log's retention.
    const links = await store.pruneEmailTokens(now);
    const mail = await store.pruneMail(
      new Date(now.getTime() - DAY_MS),
      new Date(now.getTime() - config.auditRetentionDays * DAY_MS),
    );
    if (sessions + events + throttles + proofs + pending + ssoLogins + links + mail > 0) {
      log.info('pruned old records', {
        endedSessions: sessions,
        auditEvents: events,
        throttleCounters: throttles,
        dpopProofIds: proofs,
        pendingSignIns: pending,
        ssoLogins,
        emailLinks: links,
        mail,
      });
    }
  } catch (error) {
    log.warn('pruning old records failed; retrying in an hour', { error: String(error) });
  }
}

export function scheduleMaintenance(app: App): void {
  void pruneOldRecords(app);
  setInterval(() => void pruneOldRecords(app), HOUR_MS).unref();
}
