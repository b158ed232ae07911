// POST /api/auth/oidc/callback ({state, code, iss} as the provider sent them to /login/sso):
// finishes a single sign-on: a token pair for a sign-in (bound to the DPoP proof's key, as for a
// password), or a linked identity or a fresh authentication for the signed-in caller.
import { SsoCallbackRequest } from '@/lib/api/sso';
import { completeSso } from '@/lib/auth/sso/flow';
import { requireProvider } from '@/lib/auth/sso/start';
import { authenticate } from '@/lib/edge/access-check';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { ssoBinding } from '@/lib/edge/sso-binding';
import { ssoCallbackResponse } from '@/lib/edge/sso-response';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    await refuseCrossSiteAudited(request, app.config, app.auth);
    const provider = requireProvider(app.sso);
    const params = parseInput(SsoCallbackRequest, await readFields(request, { accept: ['json'] }));
    // A link or re-authentication is finished by the signed-in caller (checked as protectedRoute would).
    const caller = request.headers.has('authorization') ? await authenticate(app, request, 'handler') : null;
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
    const outcome = await completeSso(app.auth, provider, {
      params,
      binding: ssoBinding(request, app.config),
      caller,
      client,
      proof,
    });
    return withNextNonce(ssoCallbackResponse(request, app.config, outcome), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
