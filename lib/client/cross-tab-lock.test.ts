import { describe, expect, it } from 'vitest';
import { manualTimers, memoryStorage } from '@/tests/helpers/manual-timers';
import { LOCK_NAME, storageLease, webLocks } from './cross-tab-lock';

describe('storageLease (fallback when navigator.locks is missing)', () => {
  it('lets one tab at a time run, the other after the first releases', async () => {
    const timers = manualTimers();
    const storage = memoryStorage();
    const a = storageLease(storage, timers.clock, 'tab-a');
    const b = storageLease(storage, timers.clock, 'tab-b');
    const order: string[] = [];
    let releaseA!: () => void;
    const first = a(async () => {
      order.push('a starts');
      await new Promise<void>((resolve) => (releaseA = resolve));
      order.push('a ends');
    }, 5_000);
    await timers.advance(100);
    const second = b(async () => {
      order.push('b runs');
    }, 5_000);
    await timers.advance(500);
    expect(order).toEqual(['a starts']);
    releaseA();
    await timers.advance(500);
    await Promise.all([first, second]);
    expect(order).toEqual(['a starts', 'a ends', 'b runs']);
    expect(storage.getItem(LOCK_NAME)).toBeNull();
  });

  it('proceeds without the lock after the timeout instead of hanging behind a stuck tab', async () => {
    const timers = manualTimers();
    const storage = memoryStorage();
    storage.setItem(LOCK_NAME, JSON.stringify({ owner: 'stuck-tab', until: timers.clock.now() + 60_000 }));
    const lock = storageLease(storage, timers.clock, 'tab-b');
    let ran = false;
    const done = lock(async () => {
      ran = true;
    }, 3_000);
    await timers.advance(2_900);
    expect(ran).toBe(false);
    await timers.advance(300);
    await done;
    expect(ran).toBe(true);
  });

  it('takes over a lease whose holder died (expired)', async () => {
    const timers = manualTimers();
    const storage = memoryStorage();
    storage.setItem(LOCK_NAME, JSON.stringify({ owner: 'closed-tab', until: timers.clock.now() - 1 }));
    let ran = false;
    const done = storageLease(
      storage,
      timers.clock,
      'tab-b',
    )(async () => {
      ran = true;
    }, 3_000);
    await timers.advance(100);
    await done;
    expect(ran).toBe(true);
  });
});

describe('webLocks', () => {
  it('runs the work unlocked when the lock cannot be had in time', async () => {
    // A lock manager whose lock is held forever, honouring the abort signal like the real one.
    const locks = {
      request<T>(_name: string, options: { signal: AbortSignal }): Promise<T> {
        return new Promise<T>((_, reject) =>
          options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      },
    };
    const result = await webLocks(locks)(async () => 'ran anyway', 50);
    expect(result).toBe('ran anyway');
  });

  it('propagates errors from the work itself', async () => {
    const locks = {
      request<T>(_name: string, _options: { signal: AbortSignal }, callback: () => Promise<T>) {
        return callback();
      },
    };
    await expect(webLocks(locks)(() => Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });
});
