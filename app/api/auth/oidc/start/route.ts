// POST /api/auth/oidc/start ({next?}): where to send the browser to sign in through the identity
// provider, and the cookie that binds that sign-in to this browser.
import { SsoStartRequest } from '@/lib/api/sso';
import { startSignInThroughProvider } from '@/lib/auth/sso/start';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { ssoStartResponse } from '@/lib/edge/sso-response';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  const { next } = parseInput(SsoStartRequest, await readFields(request, { accept: ['json'], optional: true }));
  const started = await startSignInThroughProvider(app.auth, app.sso, { intent: 'sign_in', next, sessionId: null });
  return ssoStartResponse(request, app.config, started);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
