// POST /api/auth/reauthenticate/oidc ({next?}): confirm it is you by signing in at the identity
// provider again (it is asked to prompt, whatever session it has); the callback renews this
// session's authentication time.
import { SsoStartRequest } from '@/lib/api/sso';
import { startSignInThroughProvider } from '@/lib/auth/sso/start';
import { ssoStartResponse } from '@/lib/edge/sso-response';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, protectedRoute } from '@/lib/server/routes';

const handler = protectedRoute(
  async ({ app, request, caller }) => {
    const { next } = parseInput(SsoStartRequest, await readFields(request, { accept: ['json'], optional: true }));
    const started = await startSignInThroughProvider(app.auth, app.sso, {
      intent: 'reauth',
      next,
      sessionId: caller.session.id,
    });
    return ssoStartResponse(request, app.config, started);
  },
  { keyProof: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
