// The middleware answers API requests with the route files' handlers (api-dispatch.ts): the table
// of handlers must hold each route's own file, and a dispatched request must reach the handler
// with what Next.js's router would have given it.
import { describe, expect, it } from 'vitest';
import { API_HANDLERS } from '@/app/api/handlers';
import { matchRoute, PATHS, type RouteName } from '../api/routes';
import { ROUTE_METHODS } from '../http/methods';
import { dispatchApi, type ApiHandlers, type RouteModule } from './api-dispatch';

/** The route file that serves a path of the table ('/api/auth/sessions/:id' → auth/sessions/[id]). */
const fileOf = (path: string) => `@/app/api/${path.replace(/^\/api\//, '').replace(/:([a-z]+)/g, '[$1]')}/route`;

function route(path: string) {
  const match = matchRoute(path);
  if (!match) throw new Error(`no route for ${path}`);
  return match;
}

/** A table whose every route answers with what it was handed (only to see what dispatch passes on). */
function echoing(): ApiHandlers {
  const echo = async (request: Request, context: { params: Promise<unknown> }) =>
    Response.json({ method: request.method, params: await context.params });
  const module = Object.fromEntries(ROUTE_METHODS.map((method) => [method, echo])) as unknown as RouteModule;
  return Object.fromEntries(Object.keys(PATHS).map((name) => [name, module])) as ApiHandlers;
}

describe('dispatching an API request from the middleware', () => {
  it('calls, for every route of the table, the handlers of the file that serves its path', async () => {
    for (const name of Object.keys(PATHS) as RouteName[]) {
      const file = (await import(/* @vite-ignore */ fileOf(PATHS[name]))) as RouteModule;
      expect(API_HANDLERS[name], PATHS[name]).toBe(file);
    }
  });

  it('hands a route the parameters its path was matched with', async () => {
    const handlers = echoing();
    const session = await dispatchApi(handlers, route('/api/auth/sessions/s1'), new Request('http://x/'));
    expect(await session!.json()).toEqual({ method: 'GET', params: { id: 's1' } });
    const secondFactors = await dispatchApi(
      handlers,
      route('/api/admin/users/u-7/second-factors'),
      new Request('http://x/', { method: 'DELETE' }),
    );
    expect(await secondFactors!.json()).toEqual({ method: 'DELETE', params: { id: 'u-7' } });
    const me = await dispatchApi(handlers, route('/api/auth/me'), new Request('http://x/'));
    expect(await me!.json()).toEqual({ method: 'GET', params: {} });
  });

  it('answers a method the route does not serve with the file’s own 405 and Allow', async () => {
    const response = await dispatchApi(
      API_HANDLERS,
      route('/api/auth/me'),
      new Request('http://x/', { method: 'POST' }),
    );
    expect(response!.status).toBe(405);
    expect(response!.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(response!.headers.get('content-type')).toBe('application/problem+json');
  });

  it('calls nothing for a method that is no handler’s name', () => {
    const request = { method: 'dynamic' } as Request;
    expect(dispatchApi(echoing(), route('/api/auth/me'), request)).toBeNull();
  });
});

describe('matching a request path to its route, as Next.js matches route files', () => {
  it('finds a fixed path before a pattern that would also match it', () => {
    expect(matchRoute('/api/auth/sessions/revoke-others')).toEqual({ name: 'revokeOthers', params: {} });
    expect(matchRoute('/api/auth/passkeys/options')).toEqual({ name: 'passkeyOptions', params: {} });
    expect(matchRoute('/api/auth/passkeys/abc')).toEqual({ name: 'passkey', params: { id: 'abc' } });
  });

  it('decodes each segment on its own, so an encoded letter names the route it spells', () => {
    // The route kit's bench check and the metrics label see the same route as the middleware.
    expect(matchRoute('/api/bench/%77rite')?.name).toBe('benchWrite');
    expect(matchRoute('/api/auth/sessions/a%20b')).toEqual({ name: 'session', params: { id: 'a b' } });
  });

  it('keeps an encoded slash inside its segment, never moving to another route', () => {
    expect(matchRoute('/api/admin/users/u%2Fsecond-factors')).toEqual({
      name: 'user',
      params: { id: 'u/second-factors' },
    });
    expect(matchRoute('/api/auth%2Fme')).toBeNull();
  });

  it('matches nothing for an empty parameter, an extra segment or a segment that does not decode', () => {
    expect(matchRoute('/api/auth/sessions/')).toBeNull();
    expect(matchRoute('/api/auth/me/x')).toBeNull();
    expect(matchRoute('/api/auth/sessions/%E0%A4%A')).toBeNull();
  });
});
