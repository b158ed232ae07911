// PATCH /api/admin/users/{id} ({disabled?, role?, password?, current_password?, email?}) and DELETE.
// Administrators only.
import { UserChangesRequest } from '@/lib/api/admin';
import { IdParam } from '@/lib/api/fields';
import { deleteUserAsAdmin, updateUserAsAdmin } from '@/lib/auth/user-admin';
import { readFields } from '@/lib/http/body';
import { jsonResponse, noContent } from '@/lib/http/problem';
import { parseInput, parsePathParams } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const patch = protectedRoute<{ id: string }>(
  async ({ app, request, client, caller, params }) => {
    const { id } = parsePathParams(IdParam, params);
    const { current_password: currentPassword, ...changes } = parseInput(
      UserChangesRequest,
      await readFields(request, { accept: ['json'] }),
    );
    const actor = { userId: caller.identity.userId, client };
    const user = await updateUserAsAdmin(app.auth, actor, id, {
      ...changes,
      ...(currentPassword ? { currentPassword } : {}),
    });
    return jsonResponse(user);
  },
  { role: 'admin', keyProof: true, sensitive: true },
);

const remove = protectedRoute<{ id: string }>(
  async ({ app, client, caller, params }) => {
    const { id } = parsePathParams(IdParam, params);
    await deleteUserAsAdmin(app.auth, { userId: caller.identity.userId, client }, id);
    return noContent();
  },
  { role: 'admin', keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ PATCH: patch, DELETE: remove });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
