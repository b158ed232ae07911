// POST /api/bench/write: one plain write transaction per request, where the refresh endpoint sits
// (through the middleware, no token check): the floor rotation is measured against (404 unless
// ENABLE_BENCH_ROUTES).
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/http/route';
import { randomId } from '@/lib/ids';
import { bareWrite } from '../../../bench/bare-write';
import { assertBenchRoutes } from '../../../bench/probe';

const handler = route(async (request: Request) => {
  assertBenchRoutes();
  // The body is read as the refresh endpoint reads its own, so both do the same HTTP work.
  const fields = await readFields(request);
  const value = typeof fields.value === 'string' ? fields.value.slice(0, 64) : '';
  await bareWrite(`${value}:${randomId()}`);
  return jsonResponse({ ok: true });
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
