// DELETE /api/admin/users/{id}/second-factors: an administrator resets a user's second factors
// (a lost phone): the app and recovery codes go, and the user's sessions end. Administrators only.
import { IdParam } from '@/lib/api/fields';
import { resetSecondFactorsAsAdmin } from '@/lib/auth/user-admin';
import { noContent } from '@/lib/http/problem';
import { parsePathParams } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const remove = protectedRoute<{ id: string }>(
  async ({ app, client, caller, params }) => {
    const { id } = parsePathParams(IdParam, params);
    await resetSecondFactorsAsAdmin(app.auth, { userId: caller.identity.userId, client }, id);
    return noContent();
  },
  { role: 'admin', keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ DELETE: remove });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
