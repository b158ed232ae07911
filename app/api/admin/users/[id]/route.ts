// PATCH /api/admin/users/{id} ({disabled?, role?, password?}) and DELETE. Administrators only.
import { z } from 'zod';
import { deleteUserAsAdmin, updateUserAsAdmin } from '@/lib/auth/user-admin';
import { readFields } from '@/lib/http/body';
import { clientInfo } from '@/lib/http/client-info';
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { parseInput, parsePathParams, IdParam } from '@/lib/http/validate';
import { getAuthDeps, getConfig } from '@/lib/runtime';

type Context = { params: Promise<{ id: string }> };

const Changes = z
  .object({
    disabled: z.boolean().optional(),
    role: z.enum(['admin', 'user']).optional(),
    password: z.string().min(1, 'must not be empty').max(1024, 'is too long').optional(),
    // Required when administrators reset their own password (lib/auth/user-admin.ts).
    current_password: z.string().min(1, 'must not be empty').max(1024, 'is too long').optional(),
  })
  .refine(
    (changes) => [changes.disabled, changes.role, changes.password].some((value) => value !== undefined),
    'name at least one change',
  );

const patch = protectedRoute<Context>(
  async (request, { identity }, context) => {
    const { id } = parsePathParams(IdParam, await context.params);
    const { current_password: currentPassword, ...changes } = parseInput(
      Changes,
      await readFields(request, { accept: ['json'] }),
    );
    const actor = { userId: identity.userId, client: clientInfo(request, getConfig().trustProxy) };
    return jsonResponse(
      await updateUserAsAdmin(getAuthDeps(), actor, id, {
        ...changes,
        ...(currentPassword ? { currentPassword } : {}),
      }),
    );
  },
  { role: 'admin', keyProof: true },
);

const remove = protectedRoute<Context>(
  async (request, { identity }, context) => {
    const { id } = parsePathParams(IdParam, await context.params);
    const actor = { userId: identity.userId, client: clientInfo(request, getConfig().trustProxy) };
    await deleteUserAsAdmin(getAuthDeps(), actor, id);
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  },
  { role: 'admin', keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods<Context>({ PATCH: patch, DELETE: remove });
