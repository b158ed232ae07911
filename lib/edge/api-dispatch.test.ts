// The middleware answers API requests with the route files' handlers (api-dispatch.ts): the table
// of handlers must hold each route's own file, and a dispatched request must reach the handler
// with what Next.js's router would have given it.
import { describe, expect, it } from 'vitest';
import { API_HANDLERS } from '@/app/api/handlers';
import { PATHS, paramsOf, type RouteName } from '../api/routes';
import { dispatchApi, type ApiHandlers, type RouteModule } from './api-dispatch';

/** The route file that serves a path of the table ('/api/auth/sessions/:id' → auth/sessions/[id]). */
const fileOf = (path: string) => `@/app/api/${path.replace(/^\/api\//, '').replace(/:([a-z]+)/g, '[$1]')}/route`;

/** A table whose every route answers with what it was handed (only to see what dispatch passes on). */
function echoing(): ApiHandlers {
  const echo = async (request: Request, context: { params: Promise<unknown> }) =>
    Response.json({ method: request.method, params: await context.params });
  const module = Object.fromEntries(
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method) => [method, echo]),
  ) as unknown as RouteModule;
  return Object.fromEntries(Object.keys(PATHS).map((name) => [name, module])) as ApiHandlers;
}

describe('dispatching an API request from the middleware', () => {
  it('calls, for every route of the table, the handlers of the file that serves its path', async () => {
    for (const name of Object.keys(PATHS) as RouteName[]) {
      const file = (await import(/* @vite-ignore */ fileOf(PATHS[name]))) as RouteModule;
      expect(API_HANDLERS[name], PATHS[name]).toBe(file);
    }
  });

  it('hands a route its path parameters and a fixed route none', async () => {
    const handlers = echoing();
    const session = await dispatchApi(
      handlers,
      'session',
      new Request('http://x/api/auth/sessions/s1'),
      '/api/auth/sessions/s1',
    );
    expect(await session!.json()).toEqual({ method: 'GET', params: { id: 's1' } });
    const secondFactors = await dispatchApi(
      handlers,
      'userSecondFactors',
      new Request('http://x/', { method: 'DELETE' }),
      '/api/admin/users/u-7/second-factors',
    );
    expect(await secondFactors!.json()).toEqual({ method: 'DELETE', params: { id: 'u-7' } });
    const me = await dispatchApi(handlers, 'me', new Request('http://x/api/auth/me'), '/api/auth/me');
    expect(await me!.json()).toEqual({ method: 'GET', params: {} });
  });

  it('answers a method the route does not serve with the file’s own 405 and Allow', async () => {
    const response = await dispatchApi(
      API_HANDLERS,
      'me',
      new Request('http://x/', { method: 'POST' }),
      '/api/auth/me',
    );
    expect(response!.status).toBe(405);
    expect(response!.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(response!.headers.get('content-type')).toBe('application/problem+json');
  });

  it('calls nothing for a method that is no handler’s name', () => {
    const request = { method: 'dynamic' } as Request;
    expect(dispatchApi(echoing(), 'me', request, '/api/auth/me')).toBeNull();
  });

  it('reads the parameters from the path as the table spells it', () => {
    expect(paramsOf('passkey', '/api/auth/passkeys/abc')).toEqual({ id: 'abc' });
    expect(paramsOf('sessions', '/api/auth/sessions')).toEqual({});
  });
});
