// GET /api/auth/oidc: whether this server offers single sign-on, under what name, and whether its
// provider can be reached now (the sign-in page's "Sign in with …").
import { ssoStatus } from '@/lib/auth/sso/status';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app }) => jsonResponse(await ssoStatus(app.sso)));

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
