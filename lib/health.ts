/**
 * Health for load balancers and container checks: the database must answer a read and accept a
 * write (a locked, read-only, unreachable or vanished database is not healthy), within the store's
 * deadline. Failures are 503 `service_unavailable` from the store (lib/db/faults.ts).
 */
import type { Db } from './db';
import { serviceUnavailable } from './db/faults';
import { AppError } from './errors';

export async function checkHealth(db: Db, now = new Date()): Promise<{ status: 'ok' }> {
  try {
    await db.healthProbe.findUnique({ where: { id: 1 } });
    await db.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt: now }, update: { checkedAt: now } });
  } catch (error) {
    // Whatever went wrong, the answer is "not healthy", never a 500.
    throw error instanceof AppError ? error : serviceUnavailable(error);
  }
  return { status: 'ok' };
}
