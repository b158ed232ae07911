// Two-step sign-in and re-authentication over real HTTP, as an attacker would try them: skipping
// the second step, the mfa_token where a token belongs, replayed and guessed codes, another
// browser's key, and a sensitive action from a session whose sign-in is old.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { dpopProof, newDpopKey } from '../helpers/dpop';
import { decodeClaims } from '../helpers/forge';
import { post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { enrolAuthenticator, type Authenticator } from '../helpers/totp';

let server: TestServer;
let address = 0;
/** Each test speaks from its own address (TRUST_PROXY), so one test's throttling stays its own. */
const from = () => ({ 'x-forwarded-for': `10.20.${Math.floor(++address / 250)}.${address % 250}` });

beforeAll(async () => {
  server = await startServer({
    label: 'second-factor',
    env: { TRUST_PROXY: 'true', THROTTLE_ADDRESS_MAX_FAILURES: '6', THROTTLE_USERNAME_MAX_FAILURES: '12' },
  });
});
afterAll(() => server.stop());

let count = 0;
async function enrolledUser(): Promise<{ id: string; username: string; password: string; app: Authenticator }> {
  const username = `otp${++count}`;
  const password = `${username} has a long password`;
  const { id } = await createUser(await server.users(), { username, password });
  const tokens = await signIn(server.url, username, password);
  return { id, username, password, app: await enrolAuthenticator(server.url, tokens.access_token) };
}

async function passwordStep(user: { username: string; password: string }, headers: Record<string, string> = {}) {
  const response = await post(`${server.url}/api/auth/token`, user, { ...from(), ...headers });
  expect(response.status).toBe(403);
  const body = (await response.json()) as { code: string; error: string; mfa_token: string; expires_in: number };
  expect([body.code, body.error]).toEqual(['mfa_required', 'mfa_required']);
  return body.mfa_token;
}

function secondStep(mfaToken: string, code: string, headers: Record<string, string> = {}) {
  return post(`${server.url}/api/auth/mfa`, { mfa_token: mfaToken, code }, { ...from(), ...headers });
}

function api(access: string, path: string, method = 'GET', body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${access}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('the two-step sign-in', () => {
  it('gives no token for the password alone, and a session for password and code', async () => {
    const user = await enrolledUser();
    const mfaToken = await passwordStep(user);
    const response = await secondStep(mfaToken, await user.app.next());
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenBody;
    expect(decodeClaims(tokens.access_token)).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'] });
    const me = (await (await api(tokens.access_token, '/api/auth/me')).json()) as { session: { method: string } };
    expect(me.session.method).toBe('password + code');
  });

  it('refuses the mfa_token as a Bearer token, as a refresh token, and anywhere but the second step', async () => {
    const user = await enrolledUser();
    const mfaToken = await passwordStep(user);
    expect((await api(mfaToken, '/api/auth/me')).status).toBe(401);
    expect((await api(mfaToken, '/api/auth/sessions')).status).toBe(401);
    const refreshed = await refresh(server.url, mfaToken);
    expect([refreshed.status, (await problem(refreshed)).code]).toEqual([401, 'invalid_token']);
    // Still good for the step it was made for.
    expect((await secondStep(mfaToken, await user.app.next())).status).toBe(200);
  });

  it('cannot be skipped: a made-up, altered or spent mfa_token starts nothing', async () => {
    const user = await enrolledUser();
    const mfaToken = await passwordStep(user);
    const code = await user.app.next();
    for (const forged of [
      'mfa_' + 'A'.repeat(43),
      `${mfaToken.slice(0, -1)}${mfaToken.endsWith('A') ? 'B' : 'A'}`,
      'x',
    ]) {
      const response = await secondStep(forged, code);
      expect([response.status, (await problem(response)).code]).toEqual([401, 'mfa_token_invalid']);
    }
    expect((await secondStep(mfaToken, code)).status).toBe(200);
    const again = await secondStep(mfaToken, await user.app.next());
    expect([again.status, (await problem(again)).code]).toEqual([401, 'mfa_token_invalid']);
  });

  it('accepts a code once: replayed at once for another sign-in, it is refused', async () => {
    const user = await enrolledUser();
    const code = await user.app.next();
    expect((await secondStep(await passwordStep(user), code)).status).toBe(200);
    const replay = await secondStep(await passwordStep(user), code);
    expect([replay.status, (await problem(replay)).code]).toEqual([401, 'invalid_code']);
  });

  it('throttles guessing: wrong codes lock the address like wrong passwords, with Retry-After', async () => {
    const user = await enrolledUser();
    const headers = from();
    const statuses: number[] = [];
    let mfaToken = await passwordStep(user, headers);
    for (let guess = 0; guess < 7; guess++) {
      const response = await secondStep(mfaToken, String(100000 + guess), headers);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
      const { attempts_left: left } = (await response.json()) as { attempts_left: number };
      if (left === 0) mfaToken = await passwordStep(user, headers);
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(6);
  });

  it('takes a recovery code once', async () => {
    const user = await enrolledUser();
    const [recovery = ''] = user.app.recoveryCodes;
    expect((await secondStep(await passwordStep(user), recovery)).status).toBe(200);
    const again = await secondStep(await passwordStep(user), recovery);
    expect([again.status, (await problem(again)).code]).toEqual([401, 'invalid_code']);
  });

  it("binds the second step to the first step's browser key: another key, or none, is refused", async () => {
    const user = await enrolledUser();
    const key = await newDpopKey();
    const mfaToken = await passwordStep(user, { dpop: await dpopProof(key, `${server.url}/api/auth/token`) });
    const code = await user.app.next();
    const other = await newDpopKey();
    const attempts: Record<string, string>[] = [{}, { dpop: await dpopProof(other, `${server.url}/api/auth/mfa`) }];
    for (const headers of attempts) {
      const response = await secondStep(mfaToken, code, headers);
      expect([response.status, (await problem(response)).code]).toEqual([401, 'invalid_dpop_proof']);
    }
    const response = await secondStep(mfaToken, code, { dpop: await dpopProof(key, `${server.url}/api/auth/mfa`) });
    expect(response.status).toBe(200);
    expect(decodeClaims(((await response.json()) as TokenBody).refresh_token)).toMatchObject({ cnf: { jkt: key.jkt } });
  });
});

describe('re-authentication', () => {
  async function agedSignIn() {
    const username = `sudo${++count}`;
    const password = `${username} has a long password`;
    await createUser(await server.users(), { username, password });
    const tokens = await signIn(server.url, username, password);
    const sid = decodeClaims(tokens.access_token).sid as string;
    // As if the sign-in was twenty minutes ago (REAUTH_MAX_AGE_MINUTES is 10).
    await (
      await server.db()
    ).session.update({ where: { id: sid }, data: { authTime: new Date(Date.now() - 20 * 60_000) } });
    return { username, password, tokens };
  }

  it('stops a password change twenty minutes after sign-in with an RFC 9470 challenge, until the user re-authenticates', async () => {
    const user = await agedSignIn();
    const change = { current_password: user.password, new_password: 'an entirely new passphrase' };
    const refused = await api(user.tokens.access_token, '/api/auth/password', 'POST', change);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age=600/);
    expect((await problem(refused)).code).toBe('reauthentication_required');
    // A refresh is not an authentication: the new access token still carries the old auth_time.
    const refreshed = (await (await refresh(server.url, user.tokens.refresh_token)).json()) as TokenBody;
    expect(Number(decodeClaims(refreshed.access_token).auth_time)).toBeLessThan(Date.now() / 1000 - 19 * 60);
    expect((await api(refreshed.access_token, '/api/auth/password', 'POST', change)).status).toBe(401);

    const wrong = await api(refreshed.access_token, '/api/auth/reauthenticate', 'POST', { password: 'not mine' });
    expect([wrong.status, (await problem(wrong)).code]).toEqual([401, 'invalid_credentials']);
    const again = await api(refreshed.access_token, '/api/auth/reauthenticate', 'POST', { password: user.password });
    expect(again.status).toBe(200);
    expect((await api(refreshed.access_token, '/api/auth/password', 'POST', change)).status).toBe(200);
  });

  it('guards sign-out everywhere else, the second factors and every admin change', async () => {
    const user = await agedSignIn();
    for (const [path, method] of [
      ['/api/auth/sessions/revoke-others', 'POST'],
      ['/api/auth/totp', 'POST'],
      ['/api/auth/totp', 'DELETE'],
      ['/api/auth/recovery-codes', 'POST'],
    ] as const) {
      const response = await api(user.tokens.access_token, path, method, method === 'POST' ? {} : undefined);
      expect([path, response.status, (await problem(response)).code]).toEqual([path, 401, 'reauthentication_required']);
    }
    const admin = await signIn(server.url, ADMIN.username, ADMIN.password);
    await (
      await server.db()
    ).session.update({
      where: { id: decodeClaims(admin.access_token).sid as string },
      data: { authTime: new Date(Date.now() - 20 * 60_000) },
    });
    const created = await api(admin.access_token, '/api/admin/users', 'POST', {
      username: `new${++count}`,
      password: 'a long enough password',
    });
    expect([created.status, (await problem(created)).code]).toEqual([401, 'reauthentication_required']);
    // Reading is not a change: the list still loads.
    expect((await api(admin.access_token, '/api/admin/users')).status).toBe(200);
  });

  it('takes a code from the authenticator app instead of the password, once', async () => {
    const user = await enrolledUser();
    const response = await secondStep(await passwordStep(user), await user.app.next());
    const tokens = (await response.json()) as TokenBody;
    const code = await user.app.next();
    expect((await api(tokens.access_token, '/api/auth/reauthenticate', 'POST', { code })).status).toBe(200);
    const replay = await api(tokens.access_token, '/api/auth/reauthenticate', 'POST', { code });
    expect([replay.status, (await problem(replay)).code]).toEqual([401, 'invalid_code']);
    const both = await api(tokens.access_token, '/api/auth/reauthenticate', 'POST', { code, password: user.password });
    expect(both.status).toBe(400);
    // With a second factor set up, the password alone no longer re-authenticates.
    const password = await api(tokens.access_token, '/api/auth/reauthenticate', 'POST', { password: user.password });
    expect([password.status, (await problem(password)).code]).toEqual([403, 'second_factor_required']);
  });
});

describe('an administrator resetting second factors', () => {
  it("removes the user's app and codes and ends their sessions; the password alone signs in again", async () => {
    const user = await enrolledUser();
    const session = (await (await secondStep(await passwordStep(user), await user.app.next())).json()) as TokenBody;
    const admin = await signIn(server.url, ADMIN.username, ADMIN.password);
    const listed = (await (await api(admin.access_token, `/api/admin/users?search=${user.username}`)).json()) as {
      users: { id: string; secondFactor: boolean }[];
    };
    expect(listed.users.find((u) => u.id === user.id)?.secondFactor).toBe(true);
    expect((await api(admin.access_token, `/api/admin/users/${user.id}/second-factors`, 'DELETE')).status).toBe(204);
    expect((await refresh(server.url, session.refresh_token)).status).toBe(401);
    await expect(signIn(server.url, user.username, user.password)).resolves.toBeTruthy();
    expect((await api(admin.access_token, `/api/admin/users/${user.id}/second-factors`, 'DELETE')).status).toBe(404);
  });
});
