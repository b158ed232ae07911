// POST /api/auth/logout: end the session on the server and clear the cookie. Always 204.
import { z } from 'zod';
import { bearerToken } from '@/lib/http/access-guard';
import { clearedAccessCookie } from '@/lib/http/cookie';
import { logout } from '@/lib/auth/logout';
import { readFields } from '@/lib/http/body';
import { refuseCrossSiteAudited } from '@/lib/http/cross-site';
import { NO_STORE } from '@/lib/http/problem';
import { methods, route } from '@/lib/http/route';
import { parseInput } from '@/lib/http/validate';
import { clientInfo } from '@/lib/http/client-info';
import { requestProof } from '@/lib/http/dpop-request';
import { AppError } from '@/lib/errors';
import { getAuthDeps, getConfig } from '@/lib/runtime';

const LogoutRequest = z.object({ refresh_token: z.string().max(4096, 'is too long').optional() });

const handler = route(async (request: Request) => {
  await refuseCrossSiteAudited(request, getConfig(), getAuthDeps());
  const input = parseInput(LogoutRequest, await readFields(request, { optional: true }));
  const accessToken = bearerToken(request.headers.get('authorization')) ?? undefined;
  const config = getConfig();
  const deps = getAuthDeps();
  const client = clientInfo(request, config.trustProxy);
  // A bound session's tokens end it only with a proof of its key; a bad proof is simply no proof,
  // since logout never fails.
  const proof = await requestProof(deps, request, config, { requireNonce: false }).catch((error: unknown) => {
    if (error instanceof AppError) return null;
    throw error;
  });
  await logout(deps, { accessToken, refreshToken: input.refresh_token }, client, proof);
  return new Response(null, {
    status: 204,
    headers: { 'Set-Cookie': clearedAccessCookie(request, getConfig()), 'Cache-Control': NO_STORE },
  });
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
