// POST /api/auth/passkey ({response}): sign in with a passkey; an ordinary token pair, the session
// bound to the browser key of the DPoP proof as for a password sign-in.
import { PasskeySignInRequest } from '@/lib/api/auth';
import { signInWithPasskey } from '@/lib/auth/passkeys/sign-in';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { tokenResponse } from '@/lib/edge/token-response';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    await refuseCrossSiteAudited(request, app.config, app.auth);
    const { response } = parseInput(PasskeySignInRequest, await readFields(request, { accept: ['json'] }));
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
    const { pair } = await signInWithPasskey(app.auth, response, client, proof);
    return withNextNonce(tokenResponse(request, pair, app.config), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
