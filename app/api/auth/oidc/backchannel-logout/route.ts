// POST /api/auth/oidc/backchannel-logout (form `logout_token`): OpenID Connect Back-Channel Logout
// 1.0, called by the identity provider (server to server): the sessions it names end everywhere.
import { BackchannelLogoutRequest } from '@/lib/api/sso';
import { backchannelLogout } from '@/lib/auth/sso/backchannel-logout';
import { requireProvider } from '@/lib/auth/sso/start';
import { readFields } from '@/lib/http/body';
import { emptyResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    const provider = requireProvider(app.sso);
    const { logout_token } = parseInput(BackchannelLogoutRequest, await readFields(request, { accept: ['form'] }));
    await backchannelLogout(app.auth, provider, logout_token, client);
    // §2.8: 200 OK, not to be cached.
    return emptyResponse(200);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
