/** Liveness plus a database round trip, for load balancers and container health checks. */
import type { Db } from './db';
import { AppError } from './errors';

export async function checkHealth(db: Db): Promise<{ status: 'ok' }> {
  try {
    await db.$queryRawUnsafe('SELECT 1');
  } catch (error) {
    throw new AppError('service_unavailable', 'the database is unreachable', { retryAfter: 5, cause: error });
  }
  return { status: 'ok' };
}
