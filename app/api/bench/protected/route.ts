// GET /api/bench/protected: the same answer behind the middleware's Bearer check (no database).
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ caller }) => jsonResponse({ ok: true, userId: caller.identity.userId }), {
  live: false,
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
