/**
 * Delivers the outbox: claims one due message at a time (a claim is a lease, so each message is
 * sent by one instance), sends it through the SMTP server, and records the outcome. A failure is
 * retried with exponential backoff (MAIL_RETRY_SECONDS, then twice that… at most an hour between tries) and given
 * up after MAX_ATTEMPTS; both are visible to administrators and in the metrics.
 */
import 'server-only';
import type { MailRecord, Store } from '../db';
import type { SealedBody } from './outbox';

/** How long a claim lasts: longer than one SMTP conversation. */
export const CLAIM_MS = 60_000;
const MAX_RETRY_MS = 60 * 60_000;
export const MAX_ATTEMPTS = 12;

export type Transport = {
  send(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<void>;
};

export type DeliveryDeps = {
  store: Pick<Store, 'claimMail' | 'markMailSent' | 'markMailFailed'>;
  transport: Transport;
  from: string;
  /** The wait before the first retry (MAIL_RETRY_SECONDS); it doubles with every failure. */
  firstRetryMs: number;
  open: (sealed: string) => SealedBody | null;
  now: () => Date;
  /** The outcome of each attempt, for the metrics and the log. */
  report?: (
    outcome: 'sent' | 'retry' | 'failed',
    mail: Pick<MailRecord, 'id' | 'kind' | 'attempts'>,
    error?: string,
  ) => void;
};

export function retryDelayMs(attempts: number, firstRetryMs: number): number {
  return Math.min(firstRetryMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Sends every message that is due now; how many were sent. */
export async function deliverDue(deps: DeliveryDeps, limit = 50): Promise<number> {
  let sent = 0;
  for (let i = 0; i < limit; i++) {
    const now = deps.now();
    const until = new Date(now.getTime() + CLAIM_MS);
    const mail = await deps.store.claimMail(now, until);
    if (!mail) break;
    const body = deps.open(mail.body);
    try {
      // A body that no key opens (AUTH_SECRET changed, both old ones gone) cannot ever be sent.
      if (body === null) throw new Error('the message cannot be opened with the current AUTH_SECRET');
      await deps.transport.send({ from: deps.from, to: mail.to, subject: mail.subject, ...body });
    } catch (error) {
      const attempts = mail.attempts + 1;
      const giveUp = body === null || attempts >= MAX_ATTEMPTS;
      const at = deps.now();
      await deps.store.markMailFailed(mail.id, until, {
        error: describe(error),
        sendAfter: new Date(at.getTime() + retryDelayMs(attempts, deps.firstRetryMs)),
        failedAt: giveUp ? at : null,
      });
      deps.report?.(giveUp ? 'failed' : 'retry', mail, describe(error));
      // The SMTP server is likely down for the rest too: try them at their own next turn.
      break;
    }
    await deps.store.markMailSent(mail.id, until, deps.now());
    deps.report?.('sent', mail);
    sent++;
  }
  return sent;
}
