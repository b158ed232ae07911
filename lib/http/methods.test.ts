import { describe, expect, it } from 'vitest';
import { methods } from './methods';
import { bearerChallenge, problemResponse } from './problem';
import { AppError } from '../errors';

const request = (method: string) => new Request('http://test/api/x', { method });

describe('methods', () => {
  it('answers the methods a route has and refuses the others with 405, Allow and a problem body', async () => {
    const handlers = methods({ POST: async () => new Response('ok') });
    expect(await (await handlers.POST(request('POST'), {})).text()).toBe('ok');
    const refused = await handlers.DELETE(request('DELETE'), {});
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await refused.json()).toMatchObject({ code: 'method_not_allowed', status: 405 });
    const options = await handlers.OPTIONS(request('OPTIONS'), {});
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'POST, OPTIONS']);
  });

  it('serves HEAD with the GET handler', async () => {
    const handlers = methods({ GET: async () => new Response(null, { status: 204 }) });
    expect((await handlers.HEAD(request('HEAD'), {})).status).toBe(204);
    expect(handlers.HEAD).toBe(handlers.GET);
  });
});

describe('problem responses', () => {
  it('carry the table status and title, no-store, Retry-After and the OAuth members when asked', async () => {
    const busy = problemResponse(new AppError('service_unavailable', 'later', { retryAfter: 1.2 }), { oauth: true });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('2');
    expect(busy.headers.get('cache-control')).toBe('no-store');
    expect(await busy.json()).toMatchObject({
      title: 'The service is temporarily unavailable',
      error: 'temporarily_unavailable',
      error_description: 'later',
    });
  });

  it('quote a challenge without letting a detail break out of its auth-param', () => {
    const challenge = bearerChallenge(new AppError('invalid_token', 'bad "token"\\ é'));
    expect(challenge).toBe('Bearer realm="api", error="invalid_token", error_description="bad token "');
  });
});
