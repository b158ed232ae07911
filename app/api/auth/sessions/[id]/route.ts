// DELETE /api/auth/sessions/{id}: end one of the caller's sessions (404 for anyone else's).
import { endOwnSession } from '@/lib/auth/session-management';
import { clientInfo } from '@/lib/http/client-info';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { parsePathParams, IdParam } from '@/lib/http/validate';
import { getAuthDeps, getConfig } from '@/lib/runtime';

type Context = { params: Promise<{ id: string }> };

const handler = protectedRoute<Context>(
  async (request, { identity }, context) => {
    const { id } = parsePathParams(IdParam, await context.params);
    const client = clientInfo(request, getConfig().trustProxy);
    await endOwnSession(getAuthDeps(), { ...identity, client }, id);
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods<Context>({ DELETE: handler });
