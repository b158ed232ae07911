// POST /api/auth/sessions/revoke-others: "sign out everywhere else".
import { endOtherSessions } from '@/lib/auth/session-management';
import { clientInfo } from '@/lib/http/client-info';
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { getAuthDeps, getConfig } from '@/lib/runtime';

const handler = protectedRoute(
  async (request, { identity }) => {
    const client = clientInfo(request, getConfig().trustProxy);
    return jsonResponse({ revoked: await endOtherSessions(getAuthDeps(), { ...identity, client }) });
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
