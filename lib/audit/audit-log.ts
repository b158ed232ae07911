/**
 * The audit log: security events, who they concern, who caused them, from where. Recording never
 * fails the action it records (a database hiccup while logging must not turn a sign-in into an
 * error), but a failure to record is itself logged. Never put a password or a token in `detail`.
 */
import 'server-only';
import type { Store } from '../db';
import { log } from '../log';
import type { AuditEventView, AuditType } from '../api/audit';
import { describeDevice } from '../api/device';
import { normalizeUsername } from '../users/username';

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

/**
 * The account an administrator filters the log by: `user` (an id) or `account` (a username); a
 * username nobody has matches no event (rather than every event).
 */
export async function accountFilter(
  store: Pick<Store, 'findUserByUsername'>,
  query: { user?: string | undefined; account?: string | undefined },
): Promise<string | undefined> {
  if (query.user) return query.user;
  if (!query.account?.trim()) return undefined;
  return (await store.findUserByUsername(normalizeUsername(query.account)))?.id ?? NO_SUCH_ACCOUNT;
}

/** An id no account has (ids are 22 base64url characters). */
const NO_SUCH_ACCOUNT = '-';

export async function listEvents(
  store: Store,
  filter: { userId?: string | undefined; type?: string; before?: number; limit: number },
): Promise<{ events: AuditEventView[]; next: number | null }> {
  const rows = await store.listAudit({ ...filter, limit: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const names = await store.usernamesOf([
    ...new Set(page.flatMap((row) => [row.userId, row.actorId]).filter((id): id is string => id !== null)),
  ]);
  return {
    events: page.map((row) => {
      const detail = row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null;
      return {
        ...row,
        at: row.at.toISOString(),
        detail,
        username: row.userId ? (names.get(row.userId) ?? null) : null,
        actor: actorOf(row, detail, names),
        attempted: typeof detail?.attempted === 'string' ? detail.attempted : null,
        device: row.userAgent ? describeDevice(row.userAgent).label : null,
      };
    }),
    next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** What the server does on its own: nobody's action (a replayed token found, the provider's word). */
const SYSTEM_EVENTS: ReadonlySet<string> = new Set([
  'refresh.reuse_detected',
  'sign_in.throttled',
  'sso.backchannel_logout',
  'sso.role_kept',
  'passkey.counter_regressed',
]);

/** Who did it: the account's user, an administrator (named), the system, or someone not signed in. */
function actorOf(
  row: { type: string; userId: string | null; actorId: string | null },
  detail: Record<string, unknown> | null,
  names: Map<string, string>,
): AuditEventView['actor'] {
  if (row.actorId !== null && row.actorId !== row.userId) {
    return { kind: 'admin', username: names.get(row.actorId) ?? null };
  }
  if (SYSTEM_EVENTS.has(row.type) || detail?.by === 'single sign-on') return { kind: 'system', username: null };
  if (row.userId === null) return { kind: 'anonymous', username: null };
  return { kind: 'user', username: names.get(row.userId) ?? null };
}

/** Deletes events older than the retention period; returns how many. */
export function pruneEvents(store: Store, retentionDays: number, now = new Date()): Promise<number> {
  return store.pruneAudit(new Date(now.getTime() - retentionDays * 86_400_000));
}
