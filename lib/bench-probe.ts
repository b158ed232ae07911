/**
 * A trivial JSON answer served twice, once behind the middleware and once not, so the benchmark
 * (npm run bench) measures what the access-token check costs. Off unless ENABLE_BENCH_ROUTES.
 */
import { getConfig } from './config';
import { AppError } from './errors';
import { jsonResponse } from './http/problem';

export function benchProbe(userId: string | null): Response {
  if (!getConfig().benchRoutes) throw new AppError('not_found', 'there is no API endpoint at this path');
  return jsonResponse({ ok: true, userId });
}
