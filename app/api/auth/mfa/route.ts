// POST /api/auth/mfa: the second step of a sign-in ({mfa_token, code}, form or JSON): a code from
// the authenticator app or a recovery code completes it with an ordinary token pair.
import { MfaSignInRequest } from '@/lib/api/auth';
import { completeSignIn } from '@/lib/auth/second-factor/pending';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { tokenResponse } from '@/lib/edge/token-response';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    // Like the first step: no other site's page may complete a sign-in.
    await refuseCrossSiteAudited(request, app.config, app.auth);
    const input = parseInput(MfaSignInRequest, await readFields(request));
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
    const { pair } = await completeSignIn(app.auth, { mfaToken: input.mfa_token, code: input.code }, client, proof);
    return withNextNonce(tokenResponse(request, pair, app.config), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
