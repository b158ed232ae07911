// GET /api/auth/me: who the Bearer token belongs to, and its session (checked live).
import type { MeResponse } from '@/lib/api/auth';
import { sessionMethod } from '@/lib/auth/authentication';
import { hasSecondFactor } from '@/lib/auth/second-factor/factors';
import { authenticationOf } from '@/lib/auth/sessions';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ app, caller: { user, session } }) => {
  const me: MeResponse = {
    id: user.id,
    username: user.username,
    role: user.role,
    session: {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      authenticatedAt: authenticationOf(session).at.toISOString(),
      method: sessionMethod(session, app.auth.policy.sso),
    },
    secondFactor: await hasSecondFactor(app.auth, user.id),
  };
  return jsonResponse(me);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
