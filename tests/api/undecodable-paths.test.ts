// A path that does not percent-decode is the client's mistake: 400 with a problem body, on every
// path (API or page, public or protected, signed in or not), never a bare 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type TokenBody } from '../helpers/http';
import { rawRequest } from '../helpers/raw-http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let tokens: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'undecodable-paths' });
  tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

const BROKEN = ['%ZZ', '%E0%A4%A', '%C0%AF', 'x%', '%FF%FE', '%u0041', '%ED%A0%80'];
const PLACES = ['/api/auth/sessions/', '/api/auth/', '/api/', '/dashboard/', '/login/', '/', '/_next/static/'];

describe('a request path that does not percent-decode', () => {
  for (const signedIn of [true, false]) {
    it(`gets 400 with a problem body on every kind of path, ${signedIn ? 'signed in' : 'signed out'}`, async () => {
      const headers: Record<string, string> = signedIn
        ? { authorization: `Bearer ${tokens.access_token}`, cookie: `staysignedin_access=${tokens.access_token}` }
        : {};
      for (const place of PLACES) {
        for (const broken of BROKEN) {
          for (const method of ['GET', 'POST', 'DELETE']) {
            const response = await rawRequest(server.url, { method, path: `${place}${broken}`, headers });
            const where = `${method} ${place}${broken}`;
            expect(response.status, where).toBe(400);
            expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
            expect(JSON.parse(response.body), where).toMatchObject({ status: 400, code: 'invalid_request' });
          }
        }
      }
    });
  }

  it("answers a query that does not decode the same way, the image optimizer's included", async () => {
    for (const path of ['/login?next=%ZZ', '/api/auth/sessions?x=%E0%A4%A', '/_next/image?url=%2F%ZZ&w=64&q=75']) {
      const response = await rawRequest(server.url, { path });
      expect(response.status, path).toBe(400);
      expect(response.headers['content-type'], path).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers targets that are not a path of this app 400, and serves an absolute-form one as its path', async () => {
    for (const method of ['GET', 'OPTIONS', 'POST']) {
      const asterisk = await rawRequest(server.url, { method, path: '*' });
      expect(asterisk.status, `${method} *`).toBe(400);
    }
    // No redirect to another host, and no redirect to a path that does not decode either.
    const elsewhere = await rawRequest(server.url, { path: 'http://evil.example' });
    expect(elsewhere.headers.location ?? '').not.toMatch(/evil/);
    expect((await rawRequest(server.url, { path: 'http://a%ZZ/api/auth/me' })).status).toBe(400);
    expect((await rawRequest(server.url, { path: '/api/auth/me', headers: { host: 'a b%ZZ' } })).status).toBe(400);
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const absolute = await rawRequest(server.url, { path: `${server.url}/api/auth/me`, headers });
    expect(absolute.status).toBe(200);
  });

  it('leaves paths that do decode alone', async () => {
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    expect((await rawRequest(server.url, { path: '/api/auth/me', headers })).status).toBe(200);
    expect((await rawRequest(server.url, { path: '/api/no-such%20thing', headers })).status).toBe(404);
    expect((await rawRequest(server.url, { path: '/login?next=%2Fdashboard' })).status).toBe(200);
  });

  it('writes nothing about it to the server log but the request guard', async () => {
    expect(server.output()).not.toMatch(/URIError|unhandled error/);
  });
});
