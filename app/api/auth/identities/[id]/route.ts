// DELETE /api/auth/identities/{id}: unlink one of the caller's identities at the identity provider,
// unless it is the account's last way in (a sensitive action: re-authentication first).
import { IdParam } from '@/lib/api/fields';
import { unlinkIdentity } from '@/lib/auth/sso/identities';
import { noContent } from '@/lib/http/problem';
import { parsePathParams } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute<{ id: string }>(
  async ({ app, client, params, caller }) => {
    const { id } = parsePathParams(IdParam, params);
    await unlinkIdentity(app.auth, { userId: caller.user.id, sessionId: caller.session.id, client }, id);
    return noContent();
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ DELETE: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
