/**
 * A trivial JSON answer served twice, once with and once without the middleware's token check, so
 * the benchmark (npm run bench) measures what the check costs. Off unless ENABLE_BENCH_ROUTES:
 * nothing in lib/ or the middleware knows about it.
 */
import { AppError } from '@/lib/errors';
import { jsonResponse } from '@/lib/http/problem';
import { getConfig } from '@/lib/runtime';

export function benchProbe(userId: string | null): Response {
  if (!getConfig().benchRoutes) throw new AppError('not_found', 'there is no endpoint at this path');
  return jsonResponse({ ok: true, userId });
}
