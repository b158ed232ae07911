/**
 * The audit log: security events, who they concern, who caused them, from where. Recording never
 * fails the action it records (a database hiccup while logging must not turn a sign-in into an
 * error), but a failure to record is itself logged. Never put a password or a token in `detail`.
 */
import 'server-only';
import type { Store } from '../db';
import { log } from '../log';
import type { AuditEventView, AuditType } from '../api/audit';

export type AuditEventInput = {
  type: AuditType;
  userId?: string | null;
  actorId?: string | null;
  sessionId?: string | null;
  client?: { ip: string | null; userAgent: string | null };
  detail?: Record<string, string | number | boolean | null>;
};

const MAX_USER_AGENT = 512;

export async function recordEvent(store: Store, event: AuditEventInput, at = new Date()): Promise<void> {
  try {
    await store.recordAudit({
      at,
      type: event.type,
      userId: event.userId ?? null,
      actorId: event.actorId ?? null,
      sessionId: event.sessionId ?? null,
      ip: event.client?.ip ?? null,
      userAgent: event.client?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      detail: event.detail ? JSON.stringify(event.detail) : null,
    });
  } catch (error) {
    log.error('could not record an audit event', { type: event.type, error: String(error) });
  }
}

export async function listEvents(
  store: Store,
  filter: { userId?: string; type?: string; before?: number; limit: number },
): Promise<{ events: AuditEventView[]; next: number | null }> {
  const rows = await store.listAudit({ ...filter, limit: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  return {
    events: page.map((row) => ({
      ...row,
      at: row.at.toISOString(),
      detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    })),
    next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Deletes events older than the retention period; returns how many. */
export function pruneEvents(store: Store, retentionDays: number, now = new Date()): Promise<number> {
  return store.pruneAudit(new Date(now.getTime() - retentionDays * 86_400_000));
}
