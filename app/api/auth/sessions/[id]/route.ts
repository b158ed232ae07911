// DELETE /api/auth/sessions/{id}: end one of the caller's sessions (404 for anyone else's).
import { IdParam } from '@/lib/api/fields';
import { endOwnSession } from '@/lib/auth/own-sessions';
import { parsePathParams } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute<{ id: string }>(
  async ({ app, client, caller, params }) => {
    const { id } = parsePathParams(IdParam, params);
    await endOwnSession(app.auth, { ...caller.identity, client }, id);
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ DELETE: handler });
