/**
 * Waiting in tests without guessing: poll for the condition itself, or wait until an instant that
 * the system under test defines (a grace window's end, a lock's Retry-After, a token's expiry).
 */

/** Polls until `probe` returns a value `done` accepts, or `timeoutMs` passes; returns the last value. */
export async function until<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  { timeoutMs = 5_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until the wall clock reaches `at` (ms since the epoch): a server-side window has passed. */
export async function untilTime(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
