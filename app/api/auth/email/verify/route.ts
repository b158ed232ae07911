// POST /api/auth/email/verify ({token}): follows a verification link: the address becomes the
// account's, verified, and the address it replaces is told.
import { LinkRequest, type EmailVerified } from '@/lib/api/mail';
import { verifyAddress } from '@/lib/auth/email/addresses';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request, client }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  const { token } = parseInput(LinkRequest, await readFields(request, { accept: ['json'] }));
  const body: EmailVerified = await verifyAddress(app.auth, token, client);
  return jsonResponse(body);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
