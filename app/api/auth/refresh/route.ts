// POST /api/auth/refresh: exchange a refresh token for a new pair; the presented one is used up.
import { RefreshRequest } from '@/lib/api/auth';
import { rotateRefreshToken } from '@/lib/auth/rotation';
import { refuseCrossSiteAudited } from '@/lib/edge/cross-site';
import { requestProof, withNextNonce } from '@/lib/edge/dpop-request';
import { AppError } from '@/lib/errors';
import { readFields } from '@/lib/http/body';
import { tokenResponse } from '@/lib/edge/token-response';
import { parseInput } from '@/lib/http/validate';
import { methods, route } from '@/lib/server/routes';

const handler = route(
  async ({ app, request, client }) => {
    await refuseCrossSiteAudited(request, app.config, app.auth);
    // Generous per-address limit against scripted abuse; normal tabs never come near it.
    // (An unknown address is not limited: one shared bucket would throttle every client at once.)
    const wait = client.ip ? app.refreshLimiter.take(client.ip) : 0;
    if (wait > 0) {
      throw new AppError('too_many_attempts', 'too many refresh requests from this address', { retryAfter: wait });
    }
    const input = parseInput(RefreshRequest, await readFields(request));
    if (input.grant_type !== undefined && input.grant_type !== 'refresh_token') {
      throw new AppError('unsupported_grant_type', 'this endpoint accepts grant_type=refresh_token only');
    }
    // Checked against the session's key inside the rotation; a nonce keeps proofs from being made ahead.
    const proof = await requestProof(app.auth, request, app.config, { requireNonce: app.auth.policy.dpopNonces });
    const pair = await rotateRefreshToken(app.auth, input.refresh_token, client, proof);
    return withNextNonce(tokenResponse(request, pair, app.config), app.auth);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
