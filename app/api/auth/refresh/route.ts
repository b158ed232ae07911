// POST /api/auth/refresh: exchange a refresh token for a new pair; the presented one is used up.
import { z } from 'zod';
import { rotateRefreshToken } from '@/lib/auth/rotation';
import { AppError } from '@/lib/errors';
import { readFields } from '@/lib/http/body';
import { refuseCrossSiteAudited } from '@/lib/http/cross-site';
import { methods, route } from '@/lib/http/route';
import { tokenResponse } from '@/lib/http/token-response';
import { parseInput } from '@/lib/http/validate';
import { clientInfo } from '@/lib/http/client-info';
import { requestProof, withNextNonce } from '@/lib/http/dpop-request';
import { getAuthDeps, getConfig, getRefreshLimiter } from '@/lib/runtime';

const RefreshRequest = z.object({
  grant_type: z.string().optional(),
  refresh_token: z.string({ error: 'is required' }).min(1, 'is required').max(4096, 'is too long'),
});

const handler = route(
  async (request: Request) => {
    const config = getConfig();
    await refuseCrossSiteAudited(request, config, getAuthDeps());
    const client = clientInfo(request, config.trustProxy);
    // Generous per-address limit against scripted abuse; normal tabs never come near it.
    // (An unknown address is not limited: one shared bucket would throttle every client at once.)
    const wait = client.ip ? getRefreshLimiter().take(client.ip) : 0;
    if (wait > 0)
      throw new AppError('too_many_attempts', 'too many refresh requests from this address', { retryAfter: wait });
    const input = parseInput(RefreshRequest, await readFields(request));
    if (input.grant_type !== undefined && input.grant_type !== 'refresh_token') {
      throw new AppError('unsupported_grant_type', 'this endpoint accepts grant_type=refresh_token only');
    }
    const deps = getAuthDeps();
    // Checked against the session's key inside the rotation; a nonce keeps proofs from being made ahead.
    const proof = await requestProof(deps, request, config, { requireNonce: deps.policy.dpopNonces });
    const pair = await rotateRefreshToken(deps, input.refresh_token, client, proof);
    return withNextNonce(tokenResponse(request, pair, config), deps);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
