// GET /api/auth/me: who the Bearer token belongs to, and its session (checked live).
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';

const handler = protectedRoute(async (_request, { user, session }) =>
  jsonResponse({
    id: user.id,
    username: user.username,
    role: user.role,
    session: {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    },
  }),
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
