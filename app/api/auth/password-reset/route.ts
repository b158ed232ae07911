// POST /api/auth/password-reset ({login}: a username or an e-mail address): sends a reset link to
// the account's verified address, if there is such an account. The same answer, in the same time,
// either way.
import { PasswordResetRequest, type PasswordResetAccepted } from '@/lib/api/mail';
import { requestPasswordReset } from '@/lib/auth/email/password-reset';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { readFields } from '@/lib/http/body';
import { jsonResponse } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request, client }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  const { login } = parseInput(PasswordResetRequest, await readFields(request));
  await requestPasswordReset(app.auth, login, client);
  const body: PasswordResetAccepted = { status: 'sent_if_known' };
  return jsonResponse(body, { status: 202 });
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
