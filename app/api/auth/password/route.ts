// POST /api/auth/password: change the caller's password; answers a fresh token pair, since every
// session (this one included) ended and this device continues in a new one.
import { PasswordChangeRequest } from '@/lib/api/auth';
import { parseAmr } from '@/lib/auth/authentication';
import { changePassword } from '@/lib/auth/password-change';
import { readFields } from '@/lib/http/body';
import { tokenResponse } from '@/lib/edge/token-response';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, client, caller: { user, identity, session } }) => {
    const input = parseInput(PasswordChangeRequest, await readFields(request, { accept: ['json'] }));
    const pair = await changePassword(
      app.auth,
      { user, sessionId: identity.sessionId, client, dpopJkt: session.dpopJkt, amr: parseAmr(session.amr) },
      { currentPassword: input.current_password, newPassword: input.new_password },
    );
    return tokenResponse(request, pair, app.config);
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
