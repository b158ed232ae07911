// GET /api/auth/me: who the Bearer token belongs to, and its session (checked live).
import type { MeResponse } from '@/lib/api/auth';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ caller: { user, session } }) => {
  const me: MeResponse = {
    id: user.id,
    username: user.username,
    role: user.role,
    session: {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    },
  };
  return jsonResponse(me);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
