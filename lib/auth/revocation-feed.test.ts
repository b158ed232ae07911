import { describe, expect, it } from 'vitest';
import type { RevocationRecord } from '../db';
import { RevocationFeed, type RevocationSource } from './revocation-feed';

/** A log in memory: the feed's only input, so its rules can be tested with a moving clock. */
function memoryLog() {
  const rows: RevocationRecord[] = [];
  let failing = false;
  const source: RevocationSource = {
    async revocationsSince(since) {
      if (failing) throw new Error('database unreachable');
      return rows.filter((row) => row.createdAt >= since);
    },
    async pruneRevocations(before) {
      const keep = rows.filter((row) => row.createdAt >= before);
      const pruned = rows.length - keep.length;
      rows.splice(0, rows.length, ...keep);
      return pruned;
    },
  };
  return {
    source,
    add: (sessionId: string, at: Date) => rows.push({ id: rows.length + 1, sessionId, userId: 'u', createdAt: at }),
    fail: (value: boolean) => (failing = value),
  };
}

describe('RevocationFeed', () => {
  it('picks up sessions ended by other instances, including rows written late with older times', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const log = memoryLog();
    const feed = new RevocationFeed(log.source, { accessTokenSeconds: 900, now: () => new Date(now) });
    await feed.poll();
    log.add('s1', new Date(now));
    await feed.poll();
    expect(feed.isRevoked('s1')).toBe(true);
    now += 5000;
    // Committed late by an instance whose clock is 30 s behind: still inside the re-read overlap.
    log.add('s2', new Date(now - 30_000));
    await feed.poll();
    expect(feed.isRevoked('s2')).toBe(true);
    expect(feed.isRevoked('never-ended')).toBe(false);
  });

  it('forgets sessions ended longer ago than an access token lives (they have no live tokens)', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const log = memoryLog();
    const feed = new RevocationFeed(log.source, { accessTokenSeconds: 60, now: () => new Date(now) });
    feed.add('old', new Date(now));
    now += 60_000 + 60_000 + 1;
    await feed.poll();
    expect(feed.isRevoked('old')).toBe(false);
  });

  it('says it is behind when the log cannot be read', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const log = memoryLog();
    const feed = new RevocationFeed(log.source, { accessTokenSeconds: 900, now: () => new Date(now) });
    expect(feed.isCurrent(5000)).toBe(false); // never read yet
    await feed.poll();
    expect(feed.isCurrent(5000)).toBe(true);
    log.fail(true);
    now += 6000;
    await feed.poll().catch(() => undefined);
    expect(feed.isCurrent(5000)).toBe(false);
    log.fail(false);
    await feed.poll();
    expect(feed.isCurrent(5000)).toBe(true);
  });
});
