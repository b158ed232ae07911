/**
 * The durable outbox: a message is a row before anything is sent, so a request never waits for the
 * SMTP server and nothing is lost while it is down. Any instance delivers due messages
 * (delivery.ts); the body is sealed at rest with the secret box the composition root hands in.
 */
import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Store } from '../db';
import type { OutgoingMail } from './message';

export type MailQueue = {
  /** Queues a message; it is sent within seconds, or retried while the SMTP server is away. */
  enqueue(mail: OutgoingMail): Promise<void>;
};

export type SealedBody = { text: string; html: string };

export function createOutbox(deps: {
  store: Pick<Store, 'enqueueMail'>;
  seal: (body: SealedBody) => string;
  now: () => Date;
  /** Called after a message is queued, so this instance's delivery starts at once. */
  queued?: () => void;
}): MailQueue {
  return {
    async enqueue(mail) {
      const now = deps.now();
      await deps.store.enqueueMail({
        id: randomUUID(),
        to: mail.to,
        subject: mail.subject,
        body: deps.seal({ text: mail.text, html: mail.html }),
        kind: mail.kind,
        userId: mail.userId,
        createdAt: now,
        sendAfter: now,
      });
      deps.queued?.();
    },
  };
}
