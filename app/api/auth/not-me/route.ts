// POST /api/auth/not-me ({token}): "This wasn't me" from a new-device alert: that session ends at
// once, on every instance; the answer names the account so the page can offer a password reset.
import { LinkRequest, type NotMeResponse } from '@/lib/api/mail';
import { reportNotMe } from '@/lib/auth/email/devices';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request, client }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  const { token } = parseInput(LinkRequest, await readFields(request, { accept: ['json'] }));
  const body: NotMeResponse = await reportNotMe(app.auth, token, client);
  return jsonResponse(body);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
