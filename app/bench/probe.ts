/**
 * The benchmark's routes (npm run bench) answer the same trivial JSON, so that what differs
 * between them is only what sits in front: nothing (outside the middleware's matcher), the
 * middleware alone, the middleware and the access-token check. Off unless ENABLE_BENCH_ROUTES:
 * nothing in lib/ knows about them beyond the paths the middleware lets through.
 */
import { AppError } from '@/lib/errors';
import { jsonResponse } from '@/lib/http/problem';
import { getConfig } from '@/lib/runtime';

export function assertBenchRoutes(): void {
  if (!getConfig().benchRoutes) throw new AppError('not_found', 'there is no endpoint at this path');
}

export function benchProbe(userId: string | null): Response {
  assertBenchRoutes();
  return jsonResponse({ ok: true, userId });
}
