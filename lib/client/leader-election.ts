/**
 * Elects one tab of the origin to run the proactive refresh timer: the holder of a Web Lock
 * that is never released while the tab lives. When the leader closes, the browser hands the
 * lock, and the job, to the next tab in line. Without Web Locks every tab leads, and the
 * storage lease (cross-tab-lock.ts) keeps their refreshes apart as well as it can.
 */
export const LEADER_LOCK = 'staysignedin.leader';

type LockManagerLike = {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<void>;
};

/** Calls `onLeader` once this tab leads; the returned function resigns (or stops waiting). */
export function electLeader(onLeader: () => void, locks?: LockManagerLike): () => void {
  const manager = locks ?? (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  if (!manager) {
    onLeader();
    return () => undefined;
  }
  const resign = new AbortController();
  manager
    .request(LEADER_LOCK, { signal: resign.signal }, () => {
      onLeader();
      // Held until the tab goes away or resigns.
      return new Promise<void>((resolve) => resign.signal.addEventListener('abort', () => resolve()));
    })
    .catch(() => undefined); // aborted while still waiting: nothing to undo
  return () => resign.abort();
}
