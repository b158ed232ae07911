// POST /api/auth/passkey/options: a challenge for signing in with any passkey of this site (no
// username: the passkey says whose it is). Nothing is stored until the answer is used.
import { authenticationOptions } from '@/lib/auth/passkeys/passkeys';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { jsonResponse } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  return jsonResponse(await authenticationOptions(app.auth, null));
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
