// POST /api/auth/sessions/revoke-others: "sign out everywhere else".
import type { RevokeOthersResponse } from '@/lib/api/auth';
import { endOtherSessions } from '@/lib/auth/own-sessions';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, client, caller }) => {
    const body: RevokeOthersResponse = { revoked: await endOtherSessions(app.auth, { ...caller.identity, client }) };
    return jsonResponse(body);
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
