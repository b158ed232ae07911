// POST /api/auth/recovery-codes: a new set of recovery codes, shown once; the old ones stop working.
import type { RecoveryCodesResponse } from '@/lib/api/auth';
import { regenerateRecoveryCodes } from '@/lib/auth/second-factor/factors';
import { jsonResponse } from '@/lib/http/problem';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, client, caller: { user, session } }) => {
    const body: RecoveryCodesResponse = {
      recovery_codes: await regenerateRecoveryCodes(app.auth, user, { client, sessionId: session.id }),
    };
    return jsonResponse(body);
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
