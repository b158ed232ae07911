// POST /api/auth/reauthenticate/options: a challenge for re-authenticating with one of the
// caller's own passkeys.
import { authenticationOptions } from '@/lib/auth/passkeys/passkeys';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(async ({ app, caller: { user } }) =>
  jsonResponse(await authenticationOptions(app.auth, user)),
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
