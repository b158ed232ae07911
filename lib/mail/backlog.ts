/** The outbox as administrators see it (GET /api/admin/mail): never a body, only what went wrong. */
import 'server-only';
import type { MailBacklog } from '../api/mail';
import type { Store } from '../db';

export async function mailBacklog(store: Pick<Store, 'mailBacklog'>, enabled: boolean): Promise<MailBacklog> {
  const { waiting, failed, recent } = await store.mailBacklog(20);
  return {
    enabled,
    waiting,
    failed,
    recent: recent.map((mail) => ({
      id: mail.id,
      to: mail.to,
      subject: mail.subject,
      kind: mail.kind,
      createdAt: mail.createdAt.toISOString(),
      attempts: mail.attempts,
      lastError: mail.lastError,
      nextAttemptAt: mail.failedAt ? null : mail.sendAfter.toISOString(),
      failedAt: mail.failedAt?.toISOString() ?? null,
    })),
  };
}
