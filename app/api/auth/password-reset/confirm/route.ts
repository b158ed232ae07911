// POST /api/auth/password-reset/confirm ({token, new_password}): follows a reset link: the new
// password, every session ended, and a token pair for this device (bound to the DPoP proof's key);
// for an account with a second factor, 403 mfa_required and the second step, as for a sign-in.
import { PasswordResetConfirm } from '@/lib/api/mail';
import { resetPassword } from '@/lib/auth/email/password-reset';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { tokenResponse } from '@/lib/edge/token-response';
import { secondStepRequired } from '@/lib/auth/second-factor/pending';
import { readFields } from '@/lib/http/body';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    await refuseCrossSiteAudited(request, app.config, app.auth);
    const input = parseInput(PasswordResetConfirm, await readFields(request, { accept: ['json'] }));
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: false });
    const outcome = await resetPassword(
      app.auth,
      { token: input.token, newPassword: input.new_password },
      client,
      proof,
    );
    if (!outcome.signedIn) {
      throw secondStepRequired(outcome);
    }
    return withNextNonce(tokenResponse(request, outcome.pair, app.config), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
