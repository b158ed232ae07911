import { describe, expect, it } from 'vitest';
import { electLeader, LEADER_LOCK } from './leader-election';

/** An in-memory exclusive lock manager with the Web Locks semantics electLeader relies on. */
function lockManager() {
  let holder: Promise<void> | null = null;
  const queue: (() => void)[] = [];
  return {
    names: [] as string[],
    request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<void> {
      this.names.push(name);
      return new Promise<void>((resolve, reject) => {
        const grant = () => {
          holder = callback().then(resolve, reject);
          void holder.then(() => {
            holder = null;
            queue.shift()?.();
          });
        };
        options.signal.addEventListener('abort', () => {
          const index = queue.indexOf(grant);
          if (index >= 0) {
            queue.splice(index, 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        if (holder) queue.push(grant);
        else grant();
      });
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('electLeader', () => {
  it('makes exactly one tab the leader, and hands over when it resigns', async () => {
    const locks = lockManager();
    const leaders: string[] = [];
    const resignA = electLeader(() => leaders.push('a'), locks);
    electLeader(() => leaders.push('b'), locks);
    await tick();
    expect(leaders).toEqual(['a']);
    expect(locks.names).toEqual([LEADER_LOCK, LEADER_LOCK]);
    resignA(); // tab a closes
    await tick();
    await tick();
    expect(leaders).toEqual(['a', 'b']);
  });

  it('makes every tab a leader where Web Locks are missing', () => {
    let led = false;
    const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    try {
      electLeader(() => (led = true));
    } finally {
      if (original) Object.defineProperty(globalThis, 'navigator', original);
    }
    expect(led).toBe(true);
  });
});
