// GET /api/bench/open: the benchmark's trivial answer through the middleware, which lets it pass
// without a token check (404 unless ENABLE_BENCH_ROUTES; the route table marks it).
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

const handler = route(async () => jsonResponse({ ok: true, userId: null }));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
