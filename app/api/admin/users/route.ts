// GET /api/admin/users?search=&limit=: list accounts. POST: create one. Administrators only.
import { ListUsersQuery, NewUserRequest, type UsersResponse } from '@/lib/api/admin';
import { createUserAsAdmin, listUsers } from '@/lib/auth/user-admin';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput, parseQuery } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const list = protectedRoute(
  async ({ app, request }) => {
    const body: UsersResponse = { users: await listUsers(app.auth, parseQuery(ListUsersQuery, request)) };
    return jsonResponse(body);
  },
  { role: 'admin' },
);

const create = protectedRoute(
  async ({ app, request, client, caller }) => {
    const input = parseInput(NewUserRequest, await readFields(request, { accept: ['json'] }));
    const actor = { userId: caller.identity.userId, client };
    return jsonResponse(await createUserAsAdmin(app.auth, actor, input), { status: 201 });
  },
  { role: 'admin', keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: list, POST: create });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
