// POST /api/auth/password: change the caller's password; answers a fresh token pair, since every
// session (this one included) ended and this device continues in a new one.
import { z } from 'zod';
import { changePassword } from '@/lib/auth/password-change';
import { readFields } from '@/lib/http/body';
import { clientInfo } from '@/lib/http/client-info';
import { protectedRoute } from '@/lib/http/protected-route';
import { methods } from '@/lib/http/route';
import { tokenResponse } from '@/lib/http/token-response';
import { parseInput } from '@/lib/http/validate';
import { getAuthDeps, getConfig } from '@/lib/runtime';

const PasswordChange = z.object({
  current_password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'is too long'),
  new_password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'is too long'),
});

const handler = protectedRoute(
  async (request, { user, identity, session }) => {
    const input = parseInput(PasswordChange, await readFields(request, { accept: ['json'] }));
    const config = getConfig();
    const pair = await changePassword(
      getAuthDeps(),
      {
        user,
        sessionId: identity.sessionId,
        client: clientInfo(request, config.trustProxy),
        dpopJkt: session.dpopJkt,
      },
      { currentPassword: input.current_password, newPassword: input.new_password },
    );
    return tokenResponse(request, pair, config);
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
