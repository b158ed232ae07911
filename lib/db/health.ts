/**
 * Health for load balancers and container checks: the database must answer a read and accept a
 * write (a locked, read-only, unreachable or vanished database is not healthy), within the store's
 * deadline. Failures are 503 `service_unavailable` (faults.ts).
 *
 * The endpoint is public, so a success is reused for half a second: a flood of health checks must
 * not turn into a flood of writes competing with sign-ins on SQLite's single writer.
 */
import { AppError } from '../errors';
import { serviceUnavailable } from './faults';
import type { Store } from './store';

const REUSE_SUCCESS_MS = 500;
let lastSuccess = 0;

export async function checkHealth(store: Store, now = new Date()): Promise<{ status: 'ok' }> {
  if (now.getTime() - lastSuccess < REUSE_SUCCESS_MS) return { status: 'ok' };
  try {
    await store.probe(now);
  } catch (error) {
    // Whatever went wrong, the answer is "not healthy", never a 500.
    throw error instanceof AppError ? error : serviceUnavailable(error);
  }
  lastSuccess = now.getTime();
  return { status: 'ok' };
}
