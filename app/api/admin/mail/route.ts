// GET /api/admin/mail: the outbox as administrators see it: how many wait, how many were given
// up, and the recent ones that failed (their last error). Administrators only.
import { mailBacklog } from '@/lib/mail/backlog';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app }) => jsonResponse(await mailBacklog(app.database.store, app.mail !== null)),
  { role: 'admin', adminView: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
