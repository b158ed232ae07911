// With TRUST_PROXY=true a TLS-terminating proxy's X-Forwarded-* headers count: HTTPS responses get
// HSTS and a Secure cookie, and the client address is the one the proxy saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../helpers/forge';
import { post } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    label: 'proxy',
    env: { TRUST_PROXY: 'true', ALLOWED_ORIGINS: 'https://admin.example' },
  });
});
afterAll(() => server.stop());

const HTTPS = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example', 'x-forwarded-for': '203.0.113.9' };

describe('behind a trusted reverse proxy', () => {
  it('sends Strict-Transport-Security on pages served over HTTPS, and not over HTTP', async () => {
    const secure = await fetch(`${server.url}/login`, { headers: HTTPS });
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    const plain = await fetch(`${server.url}/login`, { headers: { 'x-forwarded-proto': 'http' } });
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('marks the page cookie Secure over HTTPS', async () => {
    const response = await post(`${server.url}/api/auth/token`, ADMIN, HTTPS);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('accepts the public origin the proxy names, and a listed origin; refuses others', async () => {
    const own = await post(`${server.url}/api/auth/token`, ADMIN, { ...HTTPS, origin: 'https://app.example' });
    expect(own.status).toBe(200);
    const listed = await post(`${server.url}/api/auth/token`, ADMIN, {
      origin: 'https://admin.example',
      'sec-fetch-site': 'same-site',
    });
    expect(listed.status).toBe(200);
    const other = await post(`${server.url}/api/auth/token`, ADMIN, { ...HTTPS, origin: 'https://evil.example' });
    expect(other.status).toBe(403);
  });

  it('records the address the proxy saw on the session', async () => {
    const response = await post(`${server.url}/api/auth/token`, ADMIN, HTTPS);
    const { access_token } = (await response.json()) as { access_token: string };
    const sid = decodeClaims(access_token).sid as string;
    const session = await (await server.db()).session.findUniqueOrThrow({ where: { id: sid } });
    expect(session.ip).toBe('203.0.113.9');
  });
});
