// POST /api/auth/totp/confirm ({code}): the first code from the app proves it holds the key; the
// answer is the recovery codes, shown this once.
import { CodeRequest, type RecoveryCodesResponse } from '@/lib/api/auth';
import { confirmTotp } from '@/lib/auth/second-factor/factors';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, client, caller: { user, session } }) => {
    const { code } = parseInput(CodeRequest, await readFields(request, { accept: ['json'] }));
    const body: RecoveryCodesResponse = {
      recovery_codes: await confirmTotp(app.auth, user, code, { client, sessionId: session.id }),
    };
    return jsonResponse(body);
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
