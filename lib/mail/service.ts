/**
 * Mail on this instance: the outbox that requests write to, and its delivery through the SMTP
 * server SMTP_URL names (delivery.ts), started by the process's start-up and run again right after
 * a message is queued. One delivery runs at a time here; other instances deliver too, each message
 * going to the one whose claim holds it.
 */
import 'server-only';
import type { Config } from '../config';
import type { Store } from '../db';
import { log } from '../log';
import { deliverDue, type DeliveryDeps } from './delivery';
import { createOutbox, type MailQueue, type SealedBody } from './outbox';
import { smtpTransport } from './smtp';

export type MailService = {
  queue: MailQueue;
  origin: string;
  /** Sends what is due now (the start-up loop calls it every few seconds, a new message at once). */
  deliver(): Promise<number>;
  /** Starts delivering: now, every DELIVERY_INTERVAL_MS, and right after a message is queued. */
  start(): void;
};

const DELIVERY_INTERVAL_MS = 5_000;

export function createMailService(
  settings: NonNullable<Config['mail']>,
  deps: {
    store: Pick<Store, 'enqueueMail'> & DeliveryDeps['store'];
    /** Bodies are sealed at rest with the app's secret box; null: no key opens it. */
    seal: (bytes: Uint8Array) => string;
    open: (sealed: string) => Uint8Array | null;
    /** Counts each attempt's outcome (the metrics). */
    counted: (outcome: 'sent' | 'retry' | 'failed') => void;
    now: () => Date;
  },
): MailService {
  let running: Promise<number> | null = null;
  let again = false;
  const transport = smtpTransport(settings.url);
  const deliver = (): Promise<number> => {
    // One delivery at a time here; a message queued meanwhile is picked up by a second pass.
    if (running) {
      again = true;
      return running;
    }
    running = deliverDue({
      store: deps.store,
      transport,
      from: settings.from,
      firstRetryMs: settings.retrySeconds * 1000,
      now: deps.now,
      open: (sealed) => {
        const bytes = deps.open(sealed);
        return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as SealedBody) : null;
      },
      report: (outcome, message, error) => {
        deps.counted(outcome);
        if (outcome !== 'sent')
          log.warn('a message could not be sent', { id: message.id, kind: message.kind, outcome, error });
      },
    })
      .catch((error: unknown) => {
        log.warn('mail delivery failed; retrying', { error: String(error) });
        return 0;
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void deliver();
        }
      });
    return running;
  };
  const queue = createOutbox({
    store: deps.store,
    now: deps.now,
    seal: (body) => deps.seal(Buffer.from(JSON.stringify(body))),
    queued: () => void deliver(),
  });
  return {
    queue,
    origin: settings.origin,
    deliver,
    start() {
      void deliver();
      setInterval(() => void deliver(), DELIVERY_INTERVAL_MS).unref();
    },
  };
}
