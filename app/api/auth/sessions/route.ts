// GET /api/auth/sessions: the caller's live sessions, "this device" marked.
import type { SessionsResponse } from '@/lib/api/auth';
import { listSessions } from '@/lib/auth/own-sessions';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ app, caller }) => {
  const body: SessionsResponse = { sessions: await listSessions(app.auth, caller.identity) };
  return jsonResponse(body);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
