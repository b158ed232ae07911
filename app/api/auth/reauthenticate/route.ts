// POST /api/auth/reauthenticate ({password} or {code}): proves the user is still at the keyboard,
// so sensitive actions are allowed again for REAUTH_MAX_AGE_MINUTES. No new session, no new token.
import { ReauthRequest, type ReauthResponse } from '@/lib/api/auth';
import { reauthenticate } from '@/lib/auth/reauthenticate';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, client, caller: { user, session } }) => {
    const input = parseInput(ReauthRequest, await readFields(request, { accept: ['json'] }));
    const { authTime } = await reauthenticate(app.auth, { user, session, client }, input);
    const body: ReauthResponse = { auth_time: authTime.toISOString() };
    return jsonResponse(body);
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
