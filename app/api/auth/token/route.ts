// POST /api/auth/token: password sign-in (OAuth 2.0 password grant shape, form or JSON body).
import { z } from 'zod';
import { signIn } from '@/lib/auth/sign-in';
import { AppError } from '@/lib/errors';
import { readFields } from '@/lib/http/body';
import { refuseCrossSiteAudited } from '@/lib/http/cross-site';
import { clientInfo } from '@/lib/http/client-info';
import { requestProof, withNextNonce } from '@/lib/http/dpop-request';
import { methods, route } from '@/lib/http/route';
import { tokenResponse } from '@/lib/http/token-response';
import { parseInput } from '@/lib/http/validate';
import { getAuthDeps, getConfig } from '@/lib/runtime';

const Credentials = z.object({
  grant_type: z.string().optional(),
  username: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'is too long'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'is too long'),
});

const handler = route(
  async (request: Request) => {
    await refuseCrossSiteAudited(request, getConfig(), getAuthDeps());
    const input = parseInput(Credentials, await readFields(request));
    if (input.grant_type !== undefined && input.grant_type !== 'password') {
      throw new AppError('unsupported_grant_type', 'this endpoint accepts grant_type=password only');
    }
    const config = getConfig();
    const deps = getAuthDeps();
    // A proof binds the new session to the browser's key (DPoP); nonces are optional here.
    const proof = await requestProof(deps, request, config, { requireNonce: false });
    const { pair } = await signIn(deps, input, clientInfo(request, config.trustProxy), proof);
    return withNextNonce(tokenResponse(request, pair, config), deps);
  },
  { oauth: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ POST: handler });
