import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '@/tests/helpers/database';
import type { Database } from '../db';
import { listEvents, pruneEvents, recordEvent } from './audit-log';

let store: Database['store'];

beforeAll(async () => {
  ({ store } = await createTestDb('audit'));
});

describe('the audit log', () => {
  it('keeps events newest first, with details, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await recordEvent(
        store,
        { type: 'sign_in.failure', userId: 'u-page', detail: { attempt: i } },
        new Date(Date.now() + i),
      );
    }
    const first = await listEvents(store, { userId: 'u-page', limit: 3 });
    expect(first.events.map((event) => (event.detail as { attempt: number }).attempt)).toEqual([4, 3, 2]);
    expect(first.next).not.toBeNull();
    const second = await listEvents(store, { userId: 'u-page', limit: 3, before: first.next! });
    expect(second.events.map((event) => (event.detail as { attempt: number }).attempt)).toEqual([1, 0]);
    expect(second.next).toBeNull();
  });

  it('prunes events older than the retention period, and only those', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    await recordEvent(store, { type: 'user.created', userId: 'u-old' }, new Date('2026-01-01T00:00:00Z'));
    await recordEvent(store, { type: 'user.created', userId: 'u-new' }, new Date('2026-05-30T00:00:00Z'));
    expect(await pruneEvents(store, 90, now)).toBeGreaterThanOrEqual(1);
    expect((await listEvents(store, { userId: 'u-old', limit: 10 })).events).toHaveLength(0);
    expect((await listEvents(store, { userId: 'u-new', limit: 10 })).events).toHaveLength(1);
  });
});
