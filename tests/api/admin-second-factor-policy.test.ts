// MFA_REQUIRED_FOR_ADMINS: an administrator without a second factor can do no admin request
// until they set one up; and the second-factor metrics count what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { post, problem, signIn } from '../helpers/http';
import { startServer, type TestServer } from '../helpers/server';
import { enrolAuthenticator } from '../helpers/totp';

const METRICS_TOKEN = 'metrics-token-for-the-policy-test-0123';
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'admin-mfa', env: { MFA_REQUIRED_FOR_ADMINS: 'true', METRICS_TOKEN } });
});
afterAll(() => server.stop());

const api = (access: string, path: string) =>
  fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${access}` } });

describe('with MFA_REQUIRED_FOR_ADMINS', () => {
  it('sends an administrator without a second factor to set one up, then lets them in', async () => {
    const admin = { username: 'guarded-admin', password: 'guarded admin has a long password', role: 'admin' as const };
    await createUser(await server.users(), admin);
    const tokens = await signIn(server.url, admin.username, admin.password);
    const refused = await api(tokens.access_token, '/api/admin/users');
    expect([refused.status, (await problem(refused)).code]).toEqual([403, 'mfa_enrollment_required']);
    // Their own account still works: that is where they set it up.
    expect((await api(tokens.access_token, '/api/auth/me')).status).toBe(200);
    const app = await enrolAuthenticator(server.url, tokens.access_token);
    // Set up, but this session signed in with the password alone: it confirms with the code once.
    const unproved = await api(tokens.access_token, '/api/admin/users');
    expect([unproved.status, (await problem(unproved)).code]).toEqual([401, 'reauthentication_required']);
    const viaPassword = await fetch(`${server.url}/api/auth/reauthenticate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: admin.password }),
    });
    expect([viaPassword.status, (await problem(viaPassword)).code]).toEqual([403, 'second_factor_required']);
    const viaCode = await fetch(`${server.url}/api/auth/reauthenticate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: await app.next() }),
    });
    expect(viaCode.status).toBe(200);
    expect((await api(tokens.access_token, '/api/admin/users')).status).toBe(200);
    // The audit log of every account is admin data too.
    expect((await api(tokens.access_token, '/api/audit')).status).toBe(200);

    // Signing in again now takes the code, and the metrics saw all of it.
    const step = await post(`${server.url}/api/auth/token`, admin);
    const { mfa_token } = (await step.json()) as { mfa_token: string };
    expect((await post(`${server.url}/api/auth/mfa`, { mfa_token, code: await app.next() })).status).toBe(200);
    const metrics = await (
      await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/^staysignedin_second_factor_events_total\{event="totp_enrolled"\} 1$/m);
    expect(metrics).toMatch(/^staysignedin_second_factor_events_total\{event="totp_used"\} 2$/m);
    expect(metrics).toMatch(/^staysignedin_sign_ins_total\{outcome="second_factor_required"\} 1$/m);
  });

  it('does not ask it of users who are not administrators', async () => {
    const user = { username: 'plain-user', password: 'plain user has a long password' };
    await createUser(await server.users(), user);
    const tokens = await signIn(server.url, user.username, user.password);
    expect((await api(tokens.access_token, '/api/auth/sessions')).status).toBe(200);
    const refused = await api(tokens.access_token, '/api/admin/users');
    expect((await problem(refused)).code).toBe('forbidden');
  });
});
