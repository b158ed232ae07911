// GET /api/auth/me: who the Bearer token belongs to, its session (checked live), and the alerts of
// sign-ins from new devices since it began.
import { whoAmI } from '@/lib/auth/me';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ app, caller: { session } }) => jsonResponse(await whoAmI(app.auth, session)));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
