// GET /api/auth/sessions: the caller's live sessions, "this device" marked.
import { listSessions } from '@/lib/auth/session-management';
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { getAuthDeps } from '@/lib/runtime';

const handler = protectedRoute(async (_request, { identity }) =>
  jsonResponse({ sessions: await listSessions(getAuthDeps(), identity) }),
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
