// GET /api/admin/users?search=&limit=: list accounts. POST: create one. Administrators only.
import { z } from 'zod';
import { createUserAsAdmin, listUsers } from '@/lib/auth/user-admin';
import { readFields } from '@/lib/http/body';
import { clientInfo } from '@/lib/http/client-info';
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { parseInput, parseQuery } from '@/lib/http/validate';
import { getAuthDeps, getConfig } from '@/lib/runtime';

const ListQuery = z.object({
  search: z.string().max(64, 'is too long').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const NewUser = z.object({
  username: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'is too long'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'is too long'),
  role: z.enum(['admin', 'user']).default('user'),
});

const list = protectedRoute(
  async (request) => {
    const query = parseQuery(ListQuery, request);
    return jsonResponse({ users: await listUsers(getAuthDeps(), query) });
  },
  { role: 'admin' },
);

const create = protectedRoute(
  async (request, { identity }) => {
    const input = parseInput(NewUser, await readFields(request, { accept: ['json'] }));
    const actor = { userId: identity.userId, client: clientInfo(request, getConfig().trustProxy) };
    return jsonResponse(await createUserAsAdmin(getAuthDeps(), actor, input), { status: 201 });
  },
  { role: 'admin', keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: list, POST: create });
