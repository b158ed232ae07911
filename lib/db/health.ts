/**
 * Health for load balancers and container checks: the database must answer a read and accept a
 * write (a locked, read-only, unreachable or vanished database is not healthy), within the store's
 * deadline. Failures are 503 `service_unavailable` (faults.ts).
 */
import 'server-only';
import { AppError } from '../errors';
import { serviceUnavailable } from './faults';
import type { Store } from './store';

export async function checkHealth(store: Store, now = new Date()): Promise<{ status: 'ok' }> {
  try {
    await store.probe(now);
  } catch (error) {
    // Whatever went wrong, the answer is "not healthy", never a 500.
    throw error instanceof AppError ? error : serviceUnavailable(error);
  }
  return { status: 'ok' };
}
