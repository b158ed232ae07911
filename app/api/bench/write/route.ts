// POST /api/bench/write: one plain write transaction per request, where the refresh endpoint sits
// (through the middleware, no token check): the floor rotation is measured against (404 unless
// ENABLE_BENCH_ROUTES; the route table marks it).
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { randomId } from '@/lib/ids';
import { methods, route } from '@/lib/server/routes';
import { bareWrite } from '../../../../bench/server/bare-write';

const handler = route(async ({ app, request }) => {
  // The body is read as the refresh endpoint reads its own, so both do the same HTTP work.
  const fields = await readFields(request);
  const value = typeof fields.value === 'string' ? fields.value.slice(0, 64) : '';
  await bareWrite(app.config, `${value}:${randomId()}`);
  return jsonResponse({ ok: true });
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
