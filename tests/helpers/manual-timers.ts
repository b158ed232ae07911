/** A client Clock (lib/client/clock.ts) whose time moves only when the test says so. */
import type { Clock } from '@/lib/client/clock';

export function manualTimers(start = Date.UTC(2026, 5, 1, 12)) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();

  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

  const clock: Clock = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
  };

  return {
    clock,
    /** Moves time forward, firing due timers in order and letting promises settle after each. */
    async advance(ms: number): Promise<void> {
      const target = now + ms;
      await flush();
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, timer] = due;
        timers.delete(id);
        now = Math.max(now, timer.at);
        timer.callback();
        await flush();
        await flush();
      }
      now = target;
      await flush();
    },
    flush,
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}

/** Web Storage in memory. */
export function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}
