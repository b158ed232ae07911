// DELETE /api/auth/sessions/{id}: end one of the caller's sessions (404 for anyone else's).
import { IdParam } from '@/lib/api/fields';
import { endOwnSession } from '@/lib/auth/own-sessions';
import { parsePathParams } from '@/lib/http/validate';
import { noContent } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute<{ id: string }>(
  async ({ app, client, caller, params }) => {
    const { id } = parsePathParams(IdParam, params);
    await endOwnSession(app.auth, { ...caller.identity, client }, id);
    return noContent();
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ DELETE: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
