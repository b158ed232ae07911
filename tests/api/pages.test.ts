// middleware.ts on pages: the access cookie, or a redirect to /login?next=...
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let tokens: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'pages' });
  tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

function visit(path: string, cookie?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

describe('protected pages', () => {
  it('send a visitor without a cookie to /login with next set to where they were going', async () => {
    const response = await visit('/dashboard/reports?range=7d');
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location')!, server.url);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('next')).toBe('/dashboard/reports?range=7d');
  });

  it('let a visitor with a valid access cookie through', async () => {
    const response = await visit('/dashboard', `staysignedin_access=${tokens.access_token}`);
    expect(response.status).toBe(200);
  });

  it('redirect when the cookie holds a refresh token or rubbish', async () => {
    for (const value of [tokens.refresh_token, 'rubbish']) {
      const response = await visit('/dashboard', `staysignedin_access=${value}`);
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toMatch(/\/login\?next=%2Fdashboard$/);
    }
  });

  it('leave the sign-in page public', async () => {
    expect((await visit('/login')).status).toBe(200);
  });
});
