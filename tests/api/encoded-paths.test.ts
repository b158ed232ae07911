// The middleware answers API requests with the route's handler (lib/edge/api-dispatch.ts), so it
// must pick the route Next.js's router would have picked: each segment decoded on its own. An
// encoded letter names the route it spells, with every rule of that route; an encoded slash stays
// inside its parameter and never reaches a route further down the path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let admin: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'encoded-paths' });
  admin = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

function api(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin.access_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('an API path with percent-encoding', () => {
  it('keeps a benchmark route closed however its name is spelled', async () => {
    for (const [method, path] of [
      ['GET', '/api/bench/open'],
      ['GET', '/api/bench/%6Fpen'],
      ['GET', '/api/bench/%70rotected'],
      ['POST', '/api/bench/%77rite'],
      ['POST', '/api/%62ench/write'],
    ] as const) {
      const response = await api(path, method, method === 'POST' ? { value: 'x' } : undefined);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });

  it('serves the route an encoded letter spells, behind the same check', async () => {
    expect((await api('/api/auth/%6De')).status).toBe(200);
    const anonymous = await fetch(`${server.url}/api/auth/%6De`);
    expect(anonymous.status).toBe(401);
  });

  it('keeps an encoded slash inside its parameter rather than reaching another route', async () => {
    const created = await api('/api/admin/users', 'POST', { username: 'slashed', password: 'slashed long password' });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };
    // As one segment this is the user route with the id "<id>/second-factors", which is no id:
    // the user route's 404, never the second-factors route (which has no PATCH, and whose DELETE
    // would reset the user's factors and end their sessions).
    for (const method of ['PATCH', 'DELETE']) {
      const response = await api(
        `/api/admin/users/${user.id}%2Fsecond-factors`,
        method,
        method === 'PATCH' ? { role: 'user' } : undefined,
      );
      expect(response.status, method).toBe(404);
      expect(await response.json(), method).toMatchObject({
        code: 'not_found',
        detail: 'there is nothing at this path',
      });
    }
    const users = (await (await api('/api/admin/users')).json()) as { users: { id: string }[] };
    expect(users.users.map((each) => each.id)).toContain(user.id);
  });
});
