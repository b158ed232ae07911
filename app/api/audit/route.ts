// GET /api/audit?type=&user=&before=&limit=: administrators see every event, users their own.
import { z } from 'zod';
import { listEvents } from '@/lib/audit/audit-log';
import { AUDIT_TYPES } from '@/lib/audit/events';
import { jsonResponse } from '@/lib/http/problem';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { parseQuery } from '@/lib/http/validate';
import { getStore } from '@/lib/runtime';

const AuditQuery = z.object({
  type: z.enum(AUDIT_TYPES as [string, ...string[]]).optional(),
  user: z.string().max(64, 'is too long').optional(),
  // Event ids are 32-bit integers in the database.
  before: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const handler = protectedRoute(async (request, { user }) => {
  const query = parseQuery(AuditQuery, request);
  // A user's own events only, whatever `user` says; an administrator's filter is theirs to choose.
  const userId = user.role === 'admin' ? query.user : user.id;
  return jsonResponse(
    await listEvents(getStore(), {
      ...(userId ? { userId } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit: query.limit,
    }),
  );
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });
