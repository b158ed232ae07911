// POST /api/auth/passkeys/options: a challenge to create a passkey for the caller's account.
import { registrationOptions } from '@/lib/auth/passkeys/passkeys';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, caller: { user } }) => jsonResponse(await registrationOptions(app.auth, user)),
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
