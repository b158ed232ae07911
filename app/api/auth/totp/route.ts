// /api/auth/totp: the caller's authenticator app. GET: whether one is set up (and recovery codes
// left); POST: start setting one up (a key and its QR code); DELETE: remove it and its codes.
import type { SecondFactorsResponse, TotpSetupResponse } from '@/lib/api/auth';
import { beginTotp, removeTotp, secondFactorStatus } from '@/lib/auth/second-factor/factors';
import { jsonResponse, noContent } from '@/lib/http/problem';
import { qrCodeSvg } from '@/lib/http/qr-code';
import { methods, protectedRoute } from '@/lib/server/routes';

const status = protectedRoute(async ({ app, caller: { user } }) => {
  const { totp, recoveryCodesLeft } = await secondFactorStatus(app.auth, user.id);
  const body: SecondFactorsResponse = { totp, recovery_codes_left: recoveryCodesLeft };
  return jsonResponse(body);
});

const begin = protectedRoute(
  async ({ app, caller: { user } }) => {
    const { key, uri } = await beginTotp(app.auth, user);
    const body: TotpSetupResponse = { key, otpauth_uri: uri, qr_svg: await qrCodeSvg(uri) };
    return jsonResponse(body);
  },
  { keyProof: true, sensitive: true },
);

const remove = protectedRoute(
  async ({ app, client, caller: { user, session } }) => {
    await removeTotp(app.auth, user, { client, sessionId: session.id });
    return noContent();
  },
  { keyProof: true, sensitive: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: status, POST: begin, DELETE: remove });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
