// GET /api/auth/identities: the caller's identities at the identity provider, and what linking offers.
import type { IdentitiesResponse } from '@/lib/api/sso';
import { listIdentities } from '@/lib/auth/sso/identities';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ app, caller }) => {
  const body: IdentitiesResponse = {
    identities: await listIdentities(app.auth, caller.user.id),
    provider: app.sso ? { name: app.sso.settings.displayName, available: app.sso.status().available } : null,
    password: caller.user.passwordHash !== '',
  };
  return jsonResponse(body);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
