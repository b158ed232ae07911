// Every endpoint answers in the shapes lib/api declares: the contract the browser client, the
// pages and these tests are written against.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { AuditPage } from '@/lib/api/audit';
import { UsersResponse, UserView } from '@/lib/api/admin';
import { HealthResponse, MeResponse, RevokeOthersResponse, SessionsResponse, TokenResponse } from '@/lib/api/auth';
import { Problem } from '@/lib/api/problem';
import { IdentitiesResponse, SsoStatus } from '@/lib/api/sso';
import { post, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let admin: TokenBody;

beforeAll(async () => {
  server = await startServer({ label: 'contract' });
  admin = await signIn(server.url, ADMIN.username, ADMIN.password);
});
afterAll(() => server.stop());

async function answer(schema: z.ZodType, path: string, init: RequestInit = {}, status = 200) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${admin.access_token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  expect(response.status, path).toBe(status);
  const parsed = schema.safeParse(await response.json());
  expect(parsed.error?.issues ?? [], path).toEqual([]);
}

describe('the wire contract', () => {
  it('holds for the token answers of a sign-in, a refresh and a password change', async () => {
    expect(TokenResponse.safeParse(admin).success).toBe(true);
    const rotated = await refresh(server.url, admin.refresh_token);
    admin = TokenResponse.parse(await rotated.json());
  });

  it('holds for who-am-I, the sessions, the users, the audit log and health', async () => {
    await answer(MeResponse, '/api/auth/me');
    await answer(SessionsResponse, '/api/auth/sessions');
    await answer(UsersResponse, '/api/admin/users');
    await answer(
      UserView,
      '/api/admin/users',
      {
        method: 'POST',
        body: JSON.stringify({ username: 'contracted', password: 'contracted password' }),
      },
      201,
    );
    await answer(AuditPage, '/api/audit?limit=5');
    await answer(SsoStatus, '/api/auth/oidc');
    await answer(IdentitiesResponse, '/api/auth/identities');
    await answer(RevokeOthersResponse, '/api/auth/sessions/revoke-others', { method: 'POST' });
    const health = await fetch(`${server.url}/api/health`);
    expect(HealthResponse.safeParse(await health.json()).success).toBe(true);
  });

  it('holds for problems, the OAuth members included on the token endpoints', async () => {
    const refused = await post(`${server.url}/api/auth/token`, { username: 'nobody', password: 'nothing here' });
    const body = Problem.parse(await refused.json());
    expect(body).toMatchObject({ code: 'invalid_credentials', error: 'invalid_grant' });
    await answer(Problem, '/api/admin/users', { method: 'POST', body: '{}' }, 400);
  });
});
