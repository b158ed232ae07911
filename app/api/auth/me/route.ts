// GET /api/auth/me: who the Bearer token belongs to, and its session (checked live).
import { requireSession } from '@/lib/auth/guard';
import { getAuthDeps } from '@/lib/auth/runtime';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/http/route';

const handler = route(
  async (request: Request) => {
    const { user, session } = await requireSession(getAuthDeps(), request);
    return jsonResponse({
      id: user.id,
      username: user.username,
      role: user.role,
      session: {
        id: session.id,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
      },
    });
  },
  { bearer: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
