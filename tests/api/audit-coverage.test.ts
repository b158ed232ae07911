// The audit log's list in docs/security.md, held true both ways: every row's action, done for
// real against the server, writes its event; every event type the code has is listed; and every
// refusal code of the API is either audited there or named with the reason it is not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_TYPES } from '@/lib/api/audit';
import { ERRORS } from '@/lib/api/errors';
import { createUser } from '@/lib/users/users';
import { dpopProof, newDpopKey } from '../helpers/dpop';
import { decodeClaims } from '../helpers/forge';
import { post, refresh, type TokenBody } from '../helpers/http';
import { ROOT } from '../helpers/paths';
import { IDP_CLIENT, startIdp, type TestIdp } from '../helpers/oidc-provider';
import { ADMIN, type TestServer } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server';
import { SsoBrowser, startSsoApp } from '../helpers/sso-browser';
import { enrolAuthenticator } from '../helpers/totp';

const DOC = readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8');

function section(name: string): string {
  const match = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(DOC);
  if (!match) throw new Error(`docs/security.md has no ${name} section`);
  return match[1]!;
}

/** The table's rows: case id, answer codes, event type. */
const ROWS = section('audit-events')
  .split('\n')
  .filter((line) => /^\| `/.test(line))
  .map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    const code = (cell: string) => [...cell.matchAll(/`([a-z_.-]+)`/g)].map((m) => m[1]!);
    return { id: code(cells[1]!)[0]!, answers: code(cells[3]!), event: code(cells[4]!)[0]! };
  });
const SILENT = [...section('audit-silent').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
/**
 * Rows done elsewhere, each in the file that checks its event and names its case: those that need
 * a real WebAuthn authenticator (Chromium's virtual one), and those that need a server configured
 * otherwise than this one (OIDC_ONLY; the last administrator).
 */
const ELSEWHERE: Record<string, string> = {
  'passkey-register': 'e2e/passkeys.spec.ts',
  'passkey-rename': 'e2e/passkeys.spec.ts',
  'passkey-remove': 'e2e/passkeys.spec.ts',
  'passkey-counter': 'e2e/passkeys.spec.ts',
  'sso-role-kept': 'tests/api/sso-accounts.test.ts',
  'sso-password-off': 'tests/api/sso-accounts.test.ts',
};
const IN_CHROMIUM = Object.keys(ELSEWHERE);

let server: TestServer;
let idp: TestIdp;
let address = 0;
/** Each case speaks from its own address (TRUST_PROXY), so throttling of one never reaches another. */
const from = () => ({ 'x-forwarded-for': `10.9.${Math.floor(++address / 250)}.${address % 250}` });

let smtp: TestSmtp;

beforeAll(async () => {
  idp = await startIdp();
  smtp = await startSmtp();
  server = await startSsoApp(
    idp,
    {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'audit@example.test',
      TRUST_PROXY: 'true',
      THROTTLE_ADDRESS_MAX_FAILURES: '2',
      THROTTLE_USERNAME_MAX_FAILURES: '4',
      REFRESH_REUSE_GRACE_SECONDS: '0',
    },
    { label: 'audit-coverage' },
  );
});
afterAll(async () => {
  await server.stop();
  await idp.stop();
  await smtp.stop();
});

/** An account with a confirmed address (set by an administrator), and the address. */
async function addressed() {
  const user = await account();
  const email = `${user.username}@example.test`;
  await (await server.db()).user.update({ where: { id: user.id }, data: { email, emailVerifiedAt: new Date() } });
  return { ...user, email };
}

/** The token of the first link to `path` in the newest mail to `email`. */
async function linkTokenFor(email: string, path: string) {
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  return new URL(smtp.linkIn(mail, path)).searchParams.get('token')!;
}

/** Signs in from a browser with this device id. */
async function signInOn(user: { username: string; password: string }, device: string) {
  return signIn(user.username, user.password, { 'x-device-id': device });
}

/** Links the provider's `login` to a fresh account from its own session; the account and its tokens. */
async function linkedAccount(login: string) {
  const user = await account();
  const { tokens } = await signIn(user.username, user.password);
  const bearer = { authorization: `Bearer ${tokens.access_token}`, ...from() };
  const browser = new SsoBrowser(server, idp);
  const answer = await browser.answer(await browser.start('/api/auth/identities/link', {}, bearer), login);
  return { user, tokens, bearer, response: await browser.finish(answer, bearer) };
}

/** A signed logout token from the provider, as its back-channel sends it. */
async function logoutToken(claims: Record<string, unknown>) {
  return idp.sign({
    iss: idp.issuer,
    aud: IDP_CLIENT.id,
    iat: Math.floor(Date.now() / 1000),
    jti: `jti-${++address}`,
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    ...claims,
  });
}

function deliverLogout(token: string) {
  return fetch(`${server.url}/api/auth/oidc/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }),
  });
}

let users = 0;
async function account(role: 'admin' | 'user' = 'user') {
  const username = `audited${++users}`;
  const password = `${username} long password`;
  const user = await createUser(await server.users(), { username, password, role });
  return { ...user, password };
}

async function signIn(username: string, password: string, headers: Record<string, string> = {}) {
  const response = await post(`${server.url}/api/auth/token`, { username, password }, { ...from(), ...headers });
  expect(response.status).toBe(200);
  return { tokens: (await response.json()) as TokenBody, nonce: response.headers.get('dpop-nonce') };
}

function api(tokens: TokenBody, route: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...from(),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** An account with an authenticator app, set up from a first session. */
async function enrolled() {
  const user = await account();
  const { tokens } = await signIn(user.username, user.password);
  const app = await enrolAuthenticator(server.url, tokens.access_token, from());
  return { ...user, app, tokens };
}

/** The password step of an enrolled account: its mfa_token. */
async function passwordStep(user: { username: string; password: string }) {
  const response = await post(`${server.url}/api/auth/token`, user, from());
  expect(response.status).toBe(403);
  return ((await response.json()) as { mfa_token: string }).mfa_token;
}

/** Makes a session's last authentication an hour old, as if it signed in then. */
async function agedSession(tokens: TokenBody) {
  const id = decodeClaims(tokens.access_token).sid as string;
  await (await server.db()).session.update({ where: { id }, data: { authTime: new Date(Date.now() - 3_600_000) } });
}

async function adminTokens() {
  return (await signIn(ADMIN.username, ADMIN.password)).tokens;
}

/** Each documented case, done for real; resolves with the account the event must concern. */
const CASES: Record<string, () => Promise<string>> = {
  'sign-in': async () => {
    const user = await account();
    await signIn(user.username, user.password);
    return user.id;
  },
  'sign-in-wrong': async () => {
    const user = await account();
    const response = await post(
      `${server.url}/api/auth/token`,
      { username: user.username, password: 'wrong!!' },
      from(),
    );
    expect(response.status).toBe(401);
    return user.id;
  },
  'sign-in-disabled': async () => {
    const user = await account();
    await (await server.db()).user.update({ where: { id: user.id }, data: { disabled: true } });
    const response = await post(`${server.url}/api/auth/token`, user, from());
    expect(response.status).toBe(403);
    return user.id;
  },
  'sign-in-lock': async () => {
    const user = await account();
    const headers = from();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await post(`${server.url}/api/auth/token`, { ...user, password: 'wrong!!' }, headers)).status);
    }
    expect(statuses).toEqual([401, 401, 429]);
    return user.id;
  },
  'refresh-reuse': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(200);
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401);
    return user.id;
  },
  'refresh-key': async () => {
    const user = await account();
    const key = await newDpopKey();
    const { tokens } = await signIn(user.username, user.password, {
      dpop: await dpopProof(key, `${server.url}/api/auth/token`),
    });
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401);
    return user.id;
  },
  'refresh-bad-proof': async () => {
    const user = await account();
    const key = await newDpopKey();
    const { tokens } = await signIn(user.username, user.password, {
      dpop: await dpopProof(key, `${server.url}/api/auth/token`),
    });
    // The key's own proof, but signed for another request.
    const misdirected = await dpopProof(key, `${server.url}/api/auth/logout`);
    const response = await post(
      `${server.url}/api/auth/refresh`,
      { refresh_token: tokens.refresh_token },
      { ...from(), dpop: misdirected },
    );
    expect(response.status).toBe(401);
    return user.id;
  },
  'sign-in-bad-proof': async () => {
    const user = await account();
    const response = await post(`${server.url}/api/auth/token`, user, { ...from(), dpop: 'not.a.proof' });
    expect(response.status).toBe(401);
    return user.id;
  },
  'logout-key': async () => {
    const user = await account();
    const key = await newDpopKey();
    const { tokens } = await signIn(user.username, user.password, {
      dpop: await dpopProof(key, `${server.url}/api/auth/token`),
    });
    const response = await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token }, from());
    expect(response.status).toBe(204);
    const session = await (await server.store()).findSession(decodeClaims(tokens.access_token).sid as string);
    expect(session?.revokedAt).toBeNull();
    return user.id;
  },
  'end-foreign-session': async () => {
    const user = await account();
    const other = await account();
    const { tokens } = await signIn(user.username, user.password);
    const { tokens: theirs } = await signIn(other.username, other.password);
    const sid = decodeClaims(theirs.access_token).sid as string;
    expect((await api(tokens, `/api/auth/sessions/${sid}`, 'DELETE')).status).toBe(404);
    return user.id;
  },
  'admin-self-reset-missing': async () => {
    const other = await account('admin');
    const { tokens } = await signIn(other.username, other.password);
    const response = await api(tokens, `/api/admin/users/${other.id}`, 'PATCH', { password: 'reset passphrase' });
    expect(response.status).toBe(400);
    return other.id;
  },
  'change-key': async () => {
    const user = await account();
    const key = await newDpopKey();
    const { tokens } = await signIn(user.username, user.password, {
      dpop: await dpopProof(key, `${server.url}/api/auth/token`),
    });
    expect((await api(tokens, '/api/auth/sessions/revoke-others', 'POST')).status).toBe(401);
    return user.id;
  },
  logout: async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token }, from())).status).toBe(
      204,
    );
    return user.id;
  },
  'end-session': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    const { tokens: other } = await signIn(user.username, user.password);
    const sid = decodeClaims(other.access_token).sid as string;
    expect((await api(tokens, `/api/auth/sessions/${sid}`, 'DELETE')).status).toBe(204);
    return user.id;
  },
  'end-others': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/sessions/revoke-others', 'POST')).status).toBe(200);
    return user.id;
  },
  password: async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    const body = { current_password: user.password, new_password: 'a fresh passphrase here' };
    expect((await api(tokens, '/api/auth/password', 'POST', body)).status).toBe(200);
    return user.id;
  },
  'password-wrong': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    const body = { current_password: 'not it at all', new_password: 'a fresh passphrase here' };
    expect((await api(tokens, '/api/auth/password', 'POST', body)).status).toBe(401);
    return user.id;
  },
  'password-lock': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    const body = { current_password: 'not it at all', new_password: 'a fresh passphrase here' };
    const headers = from();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(tokens, '/api/auth/password', 'POST', body, headers)).status);
    expect(statuses).toEqual([401, 401, 429]);
    return user.id;
  },
  'admin-denied': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/admin/users', 'GET')).status).toBe(403);
    return user.id;
  },
  'admin-create': async () => {
    const response = await api(await adminTokens(), '/api/admin/users', 'POST', {
      username: `created${++users}`,
      password: 'a long enough password',
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  },
  'admin-disable': async () => {
    const user = await account();
    expect((await api(await adminTokens(), `/api/admin/users/${user.id}`, 'PATCH', { disabled: true })).status).toBe(
      200,
    );
    return user.id;
  },
  'admin-enable': async () => {
    const user = await account();
    const admin = await adminTokens();
    expect((await api(admin, `/api/admin/users/${user.id}`, 'PATCH', { disabled: true })).status).toBe(200);
    expect((await api(admin, `/api/admin/users/${user.id}`, 'PATCH', { disabled: false })).status).toBe(200);
    return user.id;
  },
  'admin-role': async () => {
    const user = await account();
    expect((await api(await adminTokens(), `/api/admin/users/${user.id}`, 'PATCH', { role: 'admin' })).status).toBe(
      200,
    );
    return user.id;
  },
  'admin-reset': async () => {
    const user = await account();
    const response = await api(await adminTokens(), `/api/admin/users/${user.id}`, 'PATCH', {
      password: 'reset passphrase',
    });
    expect(response.status).toBe(200);
    return user.id;
  },
  'admin-self-reset-wrong': async () => {
    const other = await account('admin');
    const { tokens } = await signIn(other.username, other.password);
    const response = await api(tokens, `/api/admin/users/${other.id}`, 'PATCH', {
      password: 'reset passphrase',
      current_password: 'not it at all',
    });
    expect(response.status).toBe(401);
    return other.id;
  },
  'admin-delete': async () => {
    const user = await account();
    expect((await api(await adminTokens(), `/api/admin/users/${user.id}`, 'DELETE')).status).toBe(204);
    return user.id;
  },
  'sign-in-second-factor': async () => {
    const user = await enrolled();
    await passwordStep(user);
    return user.id;
  },
  'sign-in-code': async () => {
    const user = await enrolled();
    const mfa_token = await passwordStep(user);
    const response = await post(`${server.url}/api/auth/mfa`, { mfa_token, code: await user.app.next() }, from());
    expect(response.status).toBe(200);
    return user.id;
  },
  'sign-in-code-wrong': async () => {
    const user = await enrolled();
    const mfa_token = await passwordStep(user);
    const response = await post(`${server.url}/api/auth/mfa`, { mfa_token, code: user.app.wrong() }, from());
    expect(response.status).toBe(401);
    return user.id;
  },
  'sign-in-recovery-code': async () => {
    const user = await enrolled();
    const mfa_token = await passwordStep(user);
    const response = await post(`${server.url}/api/auth/mfa`, { mfa_token, code: user.app.recoveryCodes[0] }, from());
    expect(response.status).toBe(200);
    return user.id;
  },
  'totp-enrol': async () => (await enrolled()).id,
  'totp-enrol-wrong': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/totp', 'POST', {})).status).toBe(200);
    expect((await api(tokens, '/api/auth/totp/confirm', 'POST', { code: '000000' })).status).toBe(401);
    return user.id;
  },
  'totp-remove': async () => {
    const user = await enrolled();
    expect((await api(user.tokens, '/api/auth/totp', 'DELETE')).status).toBe(204);
    return user.id;
  },
  'recovery-codes': async () => {
    const user = await enrolled();
    expect((await api(user.tokens, '/api/auth/recovery-codes', 'POST', {})).status).toBe(200);
    return user.id;
  },
  reauth: async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/reauthenticate', 'POST', { password: user.password })).status).toBe(200);
    return user.id;
  },
  'reauth-wrong': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/reauthenticate', 'POST', { password: 'not it at all' })).status).toBe(401);
    return user.id;
  },
  'reauth-required': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    await agedSession(tokens);
    expect((await api(tokens, '/api/auth/sessions/revoke-others', 'POST')).status).toBe(401);
    return user.id;
  },
  'admin-reset-factors': async () => {
    const user = await enrolled();
    expect((await api(await adminTokens(), `/api/admin/users/${user.id}/second-factors`, 'DELETE')).status).toBe(204);
    return user.id;
  },
  'passkey-register-failed': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/passkeys/options', 'POST', {})).status).toBe(200);
    const forged = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: 'e30', attestationObject: 'AA' },
    };
    expect((await api(tokens, '/api/auth/passkeys', 'POST', { name: 'Fake', response: forged })).status).toBe(400);
    return user.id;
  },
  'passkey-failure': async () => {
    const unknown = {
      id: 'bm8tc3VjaC1rZXk',
      rawId: 'bm8tc3VjaC1rZXk',
      type: 'public-key',
      response: { clientDataJSON: 'e30' },
    };
    const response = await post(`${server.url}/api/auth/passkey`, { response: unknown }, from());
    expect(response.status).toBe(401);
    return '';
  },
  'admin-email': async () => {
    const user = await account();
    const response = await api(await adminTokens(), `/api/admin/users/${user.id}`, 'PATCH', {
      email: `${user.username}@example.test`,
    });
    expect(response.status).toBe(200);
    return user.id;
  },
  'email-verification': async () => {
    const user = await account();
    const { tokens } = await signIn(user.username, user.password);
    expect((await api(tokens, '/api/auth/email', 'POST', { email: `${user.username}@new.example.test` })).status).toBe(
      202,
    );
    return user.id;
  },
  'reset-requested': async () => {
    const user = await addressed();
    expect((await post(`${server.url}/api/auth/password-reset`, { login: user.username }, from())).status).toBe(202);
    return user.id;
  },
  'reset-by-email': async () => {
    const user = await addressed();
    await post(`${server.url}/api/auth/password-reset`, { login: user.username }, from());
    const token = await linkTokenFor(user.email, '/login/reset');
    const response = await post(
      `${server.url}/api/auth/password-reset/confirm`,
      { token, new_password: 'reset through the mail' },
      from(),
    );
    expect(response.status).toBe(200);
    return user.id;
  },
  'new-device': async () => {
    const user = await addressed();
    await signInOn(user, 'first-device-of-this-account');
    await signInOn(user, 'another-device-of-this-account');
    return user.id;
  },
  'not-me': async () => {
    const user = await addressed();
    await signInOn(user, 'first-device-of-this-account');
    await signInOn(user, 'another-device-of-this-account');
    const token = await linkTokenFor(user.email, '/login/not-me');
    expect((await post(`${server.url}/api/auth/not-me`, { token }, from())).status).toBe(200);
    return user.id;
  },
  'sso-failure': async () => {
    const response = await post(`${server.url}/api/auth/oidc/callback`, { state: 'never-started', code: 'x' }, from());
    expect(response.status).toBe(400);
    return '';
  },
  'sso-not-linked': async () => {
    const browser = new SsoBrowser(server, idp);
    const response = await browser.finish(await browser.answer(await browser.start(), 'nobody-linked'), from());
    expect(response.status).toBe(403);
    return '';
  },
  'sso-identity-in-use': async () => {
    expect((await linkedAccount('carol')).response.status).toBe(200);
    const second = await linkedAccount('carol');
    expect(second.response.status).toBe(409);
    return second.user.id;
  },
  'sso-linked': async () => {
    const linked = await linkedAccount('alice');
    expect(linked.response.status).toBe(200);
    return linked.user.id;
  },
  'sso-unlinked': async () => {
    const linked = await linkedAccount('dave');
    const list = (await (await api(linked.tokens, '/api/auth/identities', 'GET')).json()) as {
      identities: { id: string }[];
    };
    expect((await api(linked.tokens, `/api/auth/identities/${list.identities[0]!.id}`, 'DELETE')).status).toBe(204);
    return linked.user.id;
  },
  'sso-logout': async () => {
    const linked = await linkedAccount('erin');
    const tokens = await new SsoBrowser(server, idp).signIn('erin');
    const sid = (
      await (
        await server.db()
      ).session.findUniqueOrThrow({
        where: { id: decodeClaims(tokens.access_token).sid as string },
      })
    ).ssoSid;
    expect((await deliverLogout(await logoutToken({ sid }))).status).toBe(200);
    return linked.user.id;
  },
  'sso-logout-refused': async () => {
    expect((await deliverLogout(await logoutToken({ sub: 'erin', nonce: 'not-allowed' }))).status).toBe(400);
    return '';
  },
  'cross-site': async () => {
    const user = await account();
    const response = await post(`${server.url}/api/auth/token`, user, { ...from(), origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    return '';
  },
};

describe('the audit log as docs/security.md lists it', () => {
  it('lists every event type the code has, and only those', () => {
    expect(new Set(ROWS.map((row) => row.event))).toEqual(new Set(AUDIT_TYPES));
  });

  it('names a case for every row, and every case is a row', () => {
    expect(ROWS.map((row) => row.id).sort()).toEqual([...Object.keys(CASES), ...IN_CHROMIUM].sort());
  });

  it('leaves elsewhere only the cases that need an authenticator or another configuration, each named there', () => {
    for (const [id, file] of Object.entries(ELSEWHERE)) {
      expect(readFileSync(path.join(ROOT, file), 'utf8'), `${id} in ${file}`).toContain(`'${id}'`);
    }
  });

  it('accounts for every refusal code of the API: audited in the table, or named with why not', () => {
    const refusals = Object.entries(ERRORS)
      .filter(([, entry]) => entry.status >= 400)
      .map(([code]) => code);
    const audited = new Set(ROWS.flatMap((row) => row.answers));
    for (const code of refusals) expect(audited.has(code) || SILENT.includes(code), code).toBe(true);
    expect(
      SILENT.filter((code) => audited.has(code)),
      'both audited and silent',
    ).toEqual([]);
  });

  for (const row of ROWS.filter((row) => !IN_CHROMIUM.includes(row.id))) {
    it(`writes ${row.event} for ${row.id}`, async () => {
      const db = await server.db();
      const last = (await db.auditEvent.findFirst({ orderBy: { id: 'desc' } }))?.id ?? 0;
      const userId = await CASES[row.id]!();
      const written = await db.auditEvent.findMany({ where: { id: { gt: last }, type: row.event } });
      expect(written.length, `${row.id} wrote no ${row.event}`).toBeGreaterThan(0);
      if (userId) expect(written.map((event) => event.userId)).toContain(userId);
    });
  }
});
