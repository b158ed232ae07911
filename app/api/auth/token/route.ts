// POST /api/auth/token: password sign-in (OAuth 2.0 password grant shape, form or JSON body).
import { SignInRequest } from '@/lib/api/auth';
import { signIn } from '@/lib/auth/sign-in';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { AppError } from '@/lib/errors';
import { readFields } from '@/lib/http/body';
import { tokenResponse } from '@/lib/edge/token-response';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    await refuseCrossSiteAudited(request, app.config, app.auth);
    const input = parseInput(SignInRequest, await readFields(request));
    if (input.grant_type !== undefined && input.grant_type !== 'password') {
      throw new AppError('unsupported_grant_type', 'this endpoint accepts grant_type=password only');
    }
    // A proof binds the new session to the browser's key (DPoP); nonces are optional here.
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
    const { pair } = await signIn(app.auth, input, client, proof);
    return withNextNonce(tokenResponse(request, pair, app.config), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
