// The outbox on both databases (TEST_DATABASE), through a real SMTP server: two deliverers at
// once send each message once; a server that is down makes a message wait with backoff, and one
// that stays down makes it be given up; a body no key opens is given up at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb } from '@/tests/helpers/database';
import { freePort } from '@/tests/helpers/server';
import { startSmtp, type TestSmtp } from '@/tests/helpers/smtp-server';
import type { Database } from '../db';
import { deliverDue, MAX_ATTEMPTS, type DeliveryDeps } from './delivery';
import { composeMail } from './message';
import { createOutbox, type SealedBody } from './outbox';
import { smtpTransport } from './smtp';

let store: Database['store'];
let smtp: TestSmtp;
let now = new Date('2026-06-01T12:00:00.000Z');
const clock = () => now;

// The composition root seals with the secret box; here a reversible encoding is enough to show
// the body is stored as the seal made it and opened the same way.
const seal = (body: SealedBody) => `sealed:${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
const open = (sealed: string): SealedBody | null =>
  sealed.startsWith('sealed:')
    ? (JSON.parse(Buffer.from(sealed.slice(7), 'base64url').toString()) as SealedBody)
    : null;

function deliverer(transportUrl: string): DeliveryDeps {
  return {
    store,
    transport: smtpTransport(transportUrl),
    from: 'Test <test@example.test>',
    firstRetryMs: 30_000,
    open,
    now: clock,
  };
}

const outbox = () => createOutbox({ store, seal, now: clock });
const mail = (to: string) =>
  composeMail({ to, subject: `for ${to}`, kind: 'password_reset', userId: null, paragraphs: ['Hello.'] });

beforeAll(async () => {
  ({ store } = await createTestDb('outbox'));
  smtp = await startSmtp();
});
afterAll(async () => {
  await store.close();
  await smtp.stop();
});
beforeEach(() => {
  smtp.inbox.length = 0;
  now = new Date(now.getTime() + 86_400_000);
});

describe('deliverDue', () => {
  it('sends each message once when two deliverers run at the same time', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `twice-${i}@example.test`);
    for (const address of addresses) await outbox().enqueue(mail(address));
    const [a, b] = await Promise.all([deliverDue(deliverer(smtp.url)), deliverDue(deliverer(smtp.url))]);
    expect(a + b).toBe(20);
    for (const address of addresses)
      expect(
        smtp.inbox.filter((m) => m.to.includes(address)),
        address,
      ).toHaveLength(1);
    expect(await deliverDue(deliverer(smtp.url))).toBe(0);
  });

  it('keeps a message the SMTP server did not take, retries it later with backoff, and sends it then', async () => {
    const down = `smtp://127.0.0.1:${await freePort()}`;
    await outbox().enqueue(mail('later@example.test'));
    expect(await deliverDue(deliverer(down))).toBe(0);
    let backlog = await store.mailBacklog(5);
    expect(backlog.recent[0]).toMatchObject({ attempts: 1, failedAt: null });
    expect(backlog.recent[0]?.lastError).toMatch(/ECONNREFUSED/);
    // Not before its next turn (30 s), even with the server back.
    expect(await deliverDue(deliverer(smtp.url))).toBe(0);
    now = new Date(now.getTime() + 31_000);
    expect(await deliverDue(deliverer(smtp.url))).toBe(1);
    expect(smtp.inbox.map((m) => m.to)).toEqual(['later@example.test']);
    backlog = await store.mailBacklog(5);
    expect(backlog.waiting).toBe(0);
  });

  it(`gives a message up after ${MAX_ATTEMPTS} failed attempts, waiting twice as long each time`, async () => {
    const down = `smtp://127.0.0.1:${await freePort()}`;
    await outbox().enqueue(mail('never@example.test'));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await deliverDue(deliverer(down));
      const [row] = (await store.mailBacklog(1)).recent;
      if (row?.failedAt) break;
      waits.push(row!.sendAfter.getTime() - now.getTime());
      now = row!.sendAfter;
    }
    const { failed, recent } = await store.mailBacklog(1);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(recent[0]).toMatchObject({ attempts: MAX_ATTEMPTS, body: '' });
    expect(recent[0]?.failedAt).toBeInstanceOf(Date);
    expect(waits.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(Math.max(...waits)).toBe(3_600_000);
  });

  it('gives a message up at once when no key opens its body', async () => {
    await store.enqueueMail({
      id: 'unopenable',
      to: 'sealed@example.test',
      subject: 'x',
      body: 'sealed with a key this server no longer has',
      kind: 'password_reset',
      userId: null,
      createdAt: now,
      sendAfter: now,
    });
    await deliverDue(deliverer(smtp.url));
    const { recent } = await store.mailBacklog(5);
    expect(recent.find((row) => row.id === 'unopenable')?.failedAt).toBeInstanceOf(Date);
    expect(smtp.inbox).toEqual([]);
  });
});
