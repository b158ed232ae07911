// POST /api/auth/logout: end the session on the server and clear the cookie. 204; or, for a session
// that began through an identity provider offering RP-initiated logout, 200 with where to send the
// browser to sign out there too.
import { LogoutRequest } from '@/lib/api/auth';
import type { LogoutResponse } from '@/lib/api/sso';
import { logout } from '@/lib/auth/logout';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof } from '@/lib/edge/dpop-request';
import { AppError } from '@/lib/errors';
import { bearerToken } from '@/lib/http/authorization';
import { readFields } from '@/lib/http/body';
import { clearedAccessCookie } from '@/lib/edge/access-cookie';
import { jsonResponse, noContent } from '@/lib/http/problem';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(async ({ app, request, client }) => {
  await refuseCrossSiteAudited(request, app.config, app.auth);
  const input = parseInput(LogoutRequest, await readFields(request, { optional: true }));
  const accessToken = bearerToken(request.headers.get('authorization')) ?? undefined;
  // A bound session's tokens end it only with a proof of its key; a refused proof ends nothing (and
  // is on record), since logout never fails. A request for a fresh nonce is no proof either.
  const proof = await requestProof(app.auth, request, app.config, { requireNonce: false }).catch((error: unknown) => {
    if (error instanceof AppError) return null;
    throw error;
  });
  const { sso } = await logout(app.auth, { accessToken, refreshToken: input.refresh_token }, client, proof);
  const cleared = { 'Set-Cookie': clearedAccessCookie(request, app.config) };
  const endSession = sso ? (app.sso?.endSessionUrl() ?? null) : null;
  if (endSession === null) return noContent(cleared);
  const body: LogoutResponse = { end_session_url: endSession.href };
  return jsonResponse(body, { headers: cleared });
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
