// GET /bench/outside: the benchmark's bare route, outside the middleware's matcher (404 unless
// ENABLE_BENCH_ROUTES).
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

const handler = route(async () => jsonResponse({ ok: true, userId: null }), { bench: true });

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
