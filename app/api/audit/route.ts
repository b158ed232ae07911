// GET /api/audit?type=&user=&before=&limit=: administrators see every event, users their own.
import { AuditQuery, type AuditPage } from '@/lib/api/audit';
import { accountFilter, listEvents } from '@/lib/audit/audit-log';
import { jsonResponse } from '@/lib/http/problem';
import { parseQuery } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, caller: { user } }) => {
    const query = parseQuery(AuditQuery, request);
    // A user's own events only, whatever `user` says; an administrator's filter is theirs to choose.
    const page: AuditPage = await listEvents(app.database.store, {
      userId: user.role === 'admin' ? await accountFilter(app.database.store, query) : user.id,
      ...(query.type ? { type: query.type } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit: query.limit,
    });
    return jsonResponse(page);
  },
  { adminView: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
