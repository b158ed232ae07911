/**
 * One refresh at a time across the tabs of this origin.
 *
 * Web Locks (`navigator.locks`) where available; otherwise a lease in localStorage (best
 * effort: two tabs can very rarely both win, which the server's grace window absorbs).
 * Waiting is bounded: after `timeoutMs` the caller proceeds without the lock, having re-read
 * storage, so a stuck tab can never freeze the others.
 */
import { sleep, type Clock } from './clock';
import type { KeyValueStorage } from './token-store';

export const LOCK_NAME = 'staysignedin.refresh';

export type CrossTabLock = <T>(work: () => Promise<T>, timeoutMs: number) => Promise<T>;

type LockManagerLike = {
  request<T>(name: string, options: { signal: AbortSignal }, callback: () => Promise<T>): Promise<T>;
};

export function webLocks(locks: LockManagerLike): CrossTabLock {
  return async (work, timeoutMs) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let started = false;
    try {
      return await locks.request(LOCK_NAME, { signal: controller.signal }, () => {
        started = true;
        clearTimeout(timer);
        return work();
      });
    } catch (error) {
      // Timed out waiting: proceed unlocked rather than hang.
      if (!started && controller.signal.aborted) return work();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

type Lease = { owner: string; until: number };

export function storageLease(storage: KeyValueStorage, clock: Clock, owner: string): CrossTabLock {
  const read = (): Lease | null => {
    try {
      return JSON.parse(storage.getItem(LOCK_NAME) ?? 'null') as Lease | null;
    } catch {
      return null;
    }
  };
  return async (work, timeoutMs) => {
    const deadline = clock.now() + timeoutMs;
    let held = false;
    while (clock.now() < deadline) {
      const lease = read();
      if (!lease || lease.until <= clock.now() || lease.owner === owner) {
        storage.setItem(LOCK_NAME, JSON.stringify({ owner, until: clock.now() + timeoutMs }));
        await sleep(clock, 20); // let a competing writer's value land, then check who won
        if (read()?.owner === owner) {
          held = true;
          break;
        }
      }
      await sleep(clock, 50 + Math.random() * 50);
    }
    try {
      return await work();
    } finally {
      if (held && read()?.owner === owner) storage.removeItem(LOCK_NAME);
    }
  };
}

/** The best lock this browser offers. */
export function browserLock(storage: KeyValueStorage, clock: Clock): CrossTabLock {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  if (locks) return webLocks(locks);
  return storageLease(storage, clock, Math.random().toString(36).slice(2));
}
