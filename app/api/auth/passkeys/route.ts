// GET /api/auth/passkeys: the caller's passkeys. POST ({name, response}): register one, answering
// the challenge of /api/auth/passkeys/options (a sensitive action).
import { NewPasskeyRequest, type PasskeysResponse } from '@/lib/api/auth';
import { listPasskeys, registerPasskey } from '@/lib/auth/passkeys/passkeys';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const list = protectedRoute(async ({ app, caller: { user } }) => {
  const body: PasskeysResponse = {
    enabled: app.auth.policy.relyingParty !== null,
    passkeys: await listPasskeys(app.auth, user.id),
  };
  return jsonResponse(body);
});

const create = protectedRoute(
  async ({ app, request, client, caller: { user, session } }) => {
    const input = parseInput(NewPasskeyRequest, await readFields(request, { accept: ['json'] }));
    const passkey = await registerPasskey(
      app.auth,
      user,
      { name: input.name, response: input.response },
      { client, sessionId: session.id },
    );
    return jsonResponse(passkey, { status: 201 });
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: list, POST: create });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
