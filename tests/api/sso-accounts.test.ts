// Which account a single sign-on lands in, and what an account does with its identities: linking
// by iss+sub, by verified e-mail only when asked, auto-creation, the admin group, disabled accounts,
// link and unlink from the account page, re-authentication at the provider, and a provider that is
// down. Against a real OpenID Provider (oidc-provider).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, signIn } from '../helpers/http';
import { startIdp, type TestIdp } from '../helpers/oidc-provider';
import { ADMIN, freePort, startServer, type TestServer } from '../helpers/server';
import { countRows, SsoBrowser, startSsoApp } from '../helpers/sso-browser';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server';
import { enrolAuthenticator } from '../helpers/totp';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.stop();
});

const PASSWORD = 'a long enough password for tests';

async function adminTokens(server: TestServer) {
  return signIn(server.url, ADMIN.username, ADMIN.password);
}

async function patchUser(server: TestServer, id: string, body: unknown) {
  const admin = await adminTokens(server);
  const response = await fetch(`${server.url}/api/admin/users/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.access_token}` },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('with auto-creation off (the default)', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startSsoApp(idp, { OIDC_LINK_BY_EMAIL: 'true' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses an identity no account is linked to, with sso_not_linked, and creates nothing', async () => {
    const browser = new SsoBrowser(app, idp);
    const before = await countRows(app);
    const response = await browser.finish(await browser.answer(await browser.start(), 'stranger'));
    expect(response.status).toBe(403);
    expect((await problem(response)).code).toBe('sso_not_linked');
    expect(await countRows(app)).toEqual(before);
  });

  it('links by e-mail only when both the provider and this app vouch for the address', async () => {
    const users = await app.users();
    const { id } = await createUser(users, { username: 'alice-here', password: PASSWORD });
    // The provider verified alice@example.test, but this account has no address yet: not linked.
    let browser = new SsoBrowser(app, idp);
    let response = await browser.finish(await browser.answer(await browser.start(), 'alice'));
    expect((await problem(response)).code).toBe('sso_not_linked');
    // An administrator sets the address (vouched for): the next sign-in links and signs in.
    await patchUser(app, id, { email: 'Alice@Example.test' });
    browser = new SsoBrowser(app, idp);
    response = await browser.finish(await browser.answer(await browser.start(), 'alice'));
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { access_token: string };
    expect(decodeClaims(tokens.access_token).sub).toBe(id);
    const db = await app.db();
    expect(await db.externalIdentity.findFirstOrThrow({ where: { userId: id } })).toMatchObject({
      issuer: idp.issuer,
      subject: 'alice',
    });
  });

  it('never links by an address the user confirmed themselves: only an administrator vouches for one', async () => {
    const users = await app.users();
    const { id } = await createUser(users, { username: 'carol-here', password: PASSWORD });
    // As the verification link leaves it: confirmed, by the account's own user.
    const db = await app.db();
    await db.user.update({
      where: { id },
      data: { email: 'carol@example.test', emailVerifiedAt: new Date(), emailSetBy: 'user' },
    });
    const browser = new SsoBrowser(app, idp);
    const before = await countRows(app);
    const response = await browser.finish(await browser.answer(await browser.start(), 'carol'));
    expect((await problem(response)).code).toBe('sso_not_linked');
    expect(await countRows(app)).toEqual(before);
    expect(await db.externalIdentity.count({ where: { userId: id } })).toBe(0);
  });

  it('never links by an address the provider did not verify (email_verified false)', async () => {
    const users = await app.users();
    const { id } = await createUser(users, { username: 'bob-here', password: PASSWORD });
    await patchUser(app, id, { email: 'bob@example.test' });
    const browser = new SsoBrowser(app, idp);
    const before = await countRows(app);
    const response = await browser.finish(await browser.answer(await browser.start(), 'bob'));
    expect((await problem(response)).code).toBe('sso_not_linked');
    expect(await countRows(app)).toEqual(before);
  });

  it('lets a signed-in user link the provider from the account page, then sign in through it', async () => {
    const users = await app.users();
    await createUser(users, { username: 'dave-here', password: PASSWORD });
    const local = await signIn(app.url, 'dave-here', PASSWORD);
    const bearer = { authorization: `Bearer ${local.access_token}` };
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start('/api/auth/identities/link', {}, bearer), 'dave');
    // Finished without the session that asked: refused, and the state is spent.
    expect((await problem(await browser.finish(answer))).code).toBe('sso_failed');
    const again = new SsoBrowser(app, idp);
    const second = await again.answer(await again.start('/api/auth/identities/link', {}, bearer), 'dave');
    const linked = await again.finish(second, bearer);
    expect(linked.status).toBe(200);
    expect(await linked.json()).toMatchObject({ intent: 'link' });
    const list = await fetch(`${app.url}/api/auth/identities`, { headers: bearer });
    const body = (await list.json()) as { identities: { provider: string; email: string }[]; password: boolean };
    expect(body.identities).toEqual([expect.objectContaining({ provider: 'Test IdP', email: 'dave@example.test' })]);
    expect(body.password).toBe(true);
    const through = await new SsoBrowser(app, idp).signIn('dave');
    expect(decodeClaims(through.access_token).sub).toBe(decodeClaims(local.access_token).sub);
  });

  it("asks for the account's authenticator code after the provider, unless the provider's sign-in was multi-factor", async () => {
    const users = await app.users();
    await createUser(users, { username: 'henry-here', password: PASSWORD });
    const local = await signIn(app.url, 'henry-here', PASSWORD);
    const bearer = { authorization: `Bearer ${local.access_token}` };
    const linking = new SsoBrowser(app, idp);
    const answer = await linking.answer(await linking.start('/api/auth/identities/link', {}, bearer), 'henry');
    expect((await linking.finish(answer, bearer)).status).toBe(200);
    const authenticator = await enrolAuthenticator(app.url, local.access_token);
    // The provider's password alone: the code step, and no session yet.
    const browser = new SsoBrowser(app, idp);
    const before = await countRows(app);
    const url = await browser.start('/api/auth/oidc/start', { next: '/dashboard/account' });
    const response = await browser.finish(await browser.answer(url, 'henry'));
    expect(response.status).toBe(403);
    const step = (await response.json()) as { code: string; mfa_token: string; next: string };
    expect(step).toMatchObject({ code: 'mfa_required', next: '/dashboard/account' });
    expect((await countRows(app)).sessions).toBe(before.sessions);
    const wrong = await post(`${app.url}/api/auth/mfa`, { mfa_token: step.mfa_token, code: authenticator.wrong() });
    expect((await problem(wrong)).code).toBe('invalid_code');
    const done = await post(`${app.url}/api/auth/mfa`, { mfa_token: step.mfa_token, code: await authenticator.next() });
    expect(done.status).toBe(200);
    const claims = decodeClaims(((await done.json()) as { access_token: string }).access_token);
    expect(claims.amr).toEqual(expect.arrayContaining(['otp', 'mfa']));
    // Still a session of the provider's: its back-channel logout reaches it.
    const db = await app.db();
    expect((await db.session.findUniqueOrThrow({ where: { id: claims.sid as string } })).ssoIssuer).toBe(idp.issuer);
    // A provider that reports its own second factor (amr "mfa") is taken at its word.
    idp.tamper(async (body) => ({
      ...body,
      id_token: await idp.sign({ ...decodeClaims(body.id_token as string), amr: ['pwd', 'hwk', 'mfa'] }),
    }));
    try {
      expect((await new SsoBrowser(app, idp).signIn('henry')).access_token).toEqual(expect.any(String));
    } finally {
      idp.tamper(null);
    }
  });

  it('refuses to link an identity that another account has (sso_identity_in_use)', async () => {
    const users = await app.users();
    await createUser(users, { username: 'not-dave', password: PASSWORD });
    const local = await signIn(app.url, 'not-dave', PASSWORD);
    const bearer = { authorization: `Bearer ${local.access_token}` };
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start('/api/auth/identities/link', {}, bearer), 'dave');
    const response = await browser.finish(answer, bearer);
    expect(response.status).toBe(409);
    expect((await problem(response)).code).toBe('sso_identity_in_use');
  });

  it('asks for a recent sign-in before linking, as for every sensitive action', async () => {
    const stale = await startSsoApp(idp, { REAUTH_MAX_AGE_MINUTES: String(1 / 60) });
    try {
      const local = await signIn(stale.url, ADMIN.username, ADMIN.password);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const response = await post(
        `${stale.url}/api/auth/identities/link`,
        {},
        { authorization: `Bearer ${local.access_token}` },
      );
      expect(response.status).toBe(401);
      expect((await problem(response)).code).toBe('reauthentication_required');
    } finally {
      await stale.stop();
    }
  });

  it('refuses a disabled account through the provider as through a password', async () => {
    const users = await app.users();
    const { id } = await createUser(users, { username: 'erin-here', password: PASSWORD });
    await patchUser(app, id, { email: 'erin@example.test' });
    await new SsoBrowser(app, idp).signIn('erin'); // linked by e-mail
    await patchUser(app, id, { disabled: true });
    const browser = new SsoBrowser(app, idp);
    const before = await countRows(app);
    const response = await browser.finish(await browser.answer(await browser.start(), 'erin'));
    expect(response.status).toBe(403);
    expect((await problem(response)).code).toBe('account_disabled');
    expect((await countRows(app)).sessions).toBe(before.sessions);
  });
});

describe('with auto-creation on and an administrators group', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startSsoApp(idp, { OIDC_AUTO_CREATE: 'true', OIDC_ADMIN_GROUP: 'app-admins' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('creates an account without a password, named after preferred_username, linked by iss+sub', async () => {
    const tokens = await new SsoBrowser(app, idp).signIn('dave');
    const body = (await (await me(app.url, tokens.access_token)).json()) as { username: string; role: string };
    expect(body).toMatchObject({ username: 'dave', role: 'user' });
    // No password matches an account made this way, not even an empty one.
    for (const password of ['', 'any password']) {
      const response = await post(`${app.url}/api/auth/token`, { username: 'dave', password });
      expect([400, 401]).toContain(response.status);
    }
    const list = await fetch(`${app.url}/api/auth/identities`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(((await list.json()) as { password: boolean }).password).toBe(false);
  });

  it('makes members of the group administrators at each sign-in, and takes it back when they leave it', async () => {
    const tokens = await new SsoBrowser(app, idp).signIn('carol');
    expect(decodeClaims(tokens.access_token).role).toBe('admin');
    const db = await app.db();
    // The provider's groups change (here: the account is made a user by hand); the next sign-in restores them.
    const carol = await db.user.findUniqueOrThrow({ where: { username: 'carol' } });
    await db.user.update({ where: { id: carol.id }, data: { role: 'user' } });
    const again = await new SsoBrowser(app, idp).signIn('carol');
    expect(decodeClaims(again.access_token).role).toBe('admin');
    // An administrator here whom the provider does not put in the group becomes a user, and the
    // role change ends that account's other sessions.
    await db.user.update({ where: { username: 'dave' }, data: { role: 'admin' } });
    const daveBefore = await new SsoBrowser(app, idp).signIn('dave');
    expect(decodeClaims(daveBefore.access_token).role).toBe('user');
    const roleEvents = await db.auditEvent.findMany({ where: { type: 'user.role_changed' } });
    expect(roleEvents.length).toBeGreaterThanOrEqual(2);
  });

  it("never demotes the last active administrator through the provider's groups ('sso-role-kept')", async () => {
    const db = await app.db();
    const dave = await db.user.findUniqueOrThrow({ where: { username: 'dave' } });
    await db.user.updateMany({ where: { role: 'admin' }, data: { role: 'user' } });
    await db.user.update({ where: { id: dave.id }, data: { role: 'admin' } });
    try {
      const tokens = await new SsoBrowser(app, idp).signIn('dave');
      expect(decodeClaims(tokens.access_token).role).toBe('admin');
      expect(await db.auditEvent.count({ where: { type: 'sso.role_kept', userId: dave.id } })).toBe(1);
    } finally {
      await db.user.update({ where: { username: ADMIN.username }, data: { role: 'admin' } });
    }
  });

  it('keeps the one account that can unlink nothing: the last way in stays (last_sign_in_method)', async () => {
    const tokens = await new SsoBrowser(app, idp).signIn('alice');
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    const list = (await (await fetch(`${app.url}/api/auth/identities`, { headers: bearer })).json()) as {
      identities: { id: string }[];
    };
    const response = await fetch(`${app.url}/api/auth/identities/${list.identities[0]!.id}`, {
      method: 'DELETE',
      headers: bearer,
    });
    expect(response.status).toBe(409);
    expect((await problem(response)).code).toBe('last_sign_in_method');
    const db = await app.db();
    expect(await db.externalIdentity.count({ where: { subject: 'alice' } })).toBe(1);
  });

  it('unlinks an identity when a password remains, and then the provider no longer signs in to it', async () => {
    const users = await app.users();
    await createUser(users, { username: 'frank', password: PASSWORD });
    const local = await signIn(app.url, 'frank', PASSWORD);
    const bearer = { authorization: `Bearer ${local.access_token}` };
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start('/api/auth/identities/link', {}, bearer), 'frank-at-idp');
    expect((await browser.finish(answer, bearer)).status).toBe(200);
    const list = (await (await fetch(`${app.url}/api/auth/identities`, { headers: bearer })).json()) as {
      identities: { id: string }[];
    };
    const removed = await fetch(`${app.url}/api/auth/identities/${list.identities[0]!.id}`, {
      method: 'DELETE',
      headers: bearer,
    });
    expect(removed.status).toBe(204);
    // With auto-creation on, the identity now gets a new account of its own, not frank's.
    const through = await new SsoBrowser(app, idp).signIn('frank-at-idp');
    expect(decodeClaims(through.access_token).sub).not.toBe(decodeClaims(local.access_token).sub);
  });

  it('re-authenticates a session at the provider, for that account only', async () => {
    const tokens = await new SsoBrowser(app, idp).signIn('alice');
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    const browser = new SsoBrowser(app, idp);
    const url = new URL(await browser.start('/api/auth/reauthenticate/oidc', { next: '/dashboard/account' }, bearer));
    // The provider is asked to prompt again, whatever session it has.
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('max_age')).toBe('0');
    const answer = await browser.answer(url.href, 'alice');
    const response = await browser.finish(answer, bearer);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ intent: 'reauth', next: '/dashboard/account' });
    // Another identity at the provider cannot confirm this account.
    const other = new SsoBrowser(app, idp);
    const wrong = await other.answer(await other.start('/api/auth/reauthenticate/oidc', {}, bearer), 'carol');
    const refused = await other.finish(wrong, bearer);
    expect(refused.status).toBe(400);
    expect((await problem(refused)).code).toBe('sso_failed');
  });
});

describe('OIDC_ONLY', () => {
  let app: TestServer;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startSsoApp(idp, {
      OIDC_ONLY: 'true',
      OIDC_AUTO_CREATE: 'true',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'auth@example.test',
      MAIL_RETRY_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  it('mails a reset link to a break-glass administrator, and none to an account that signs in through the provider', async () => {
    const users = await app.users();
    const { id } = await createUser(users, { username: 'ivan', password: PASSWORD, email: 'ivan@example.test' });
    const admin = decodeClaims((await adminTokens(app)).access_token).sub as string;
    await patchUser(app, admin, { email: 'root@example.test' });
    const asked = await Promise.all(
      ['ivan', 'ivan@example.test', ADMIN.username].map((login, i) =>
        post(`${app.url}/api/auth/password-reset`, { login }, { 'x-forwarded-for': `10.20.0.${i + 1}` }),
      ),
    );
    expect(asked.map((response) => response.status)).toEqual([202, 202, 202]);
    await smtp.waitFor((mail) => mail.to.includes('root@example.test') && mail.subject === 'Reset your password');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.inbox.filter((mail) => mail.to.includes('ivan@example.test'))).toEqual([]);
    const db = await app.db();
    expect(await db.emailToken.count({ where: { userId: id } })).toBe(0);
  });

  it('keeps passwords for administrators (break-glass) and refuses them for everyone else', async () => {
    expect(((await (await fetch(`${app.url}/api/auth/oidc`)).json()) as { only: boolean }).only).toBe(true);
    expect((await signIn(app.url, ADMIN.username, ADMIN.password)).access_token).toEqual(expect.any(String));
    const users = await app.users();
    await createUser(users, { username: 'grace', password: PASSWORD });
    const response = await post(`${app.url}/api/auth/token`, { username: 'grace', password: PASSWORD });
    expect(response.status).toBe(403);
    expect((await problem(response)).code).toBe('password_sign_in_disabled');
    // A wrong password says what it always says: nothing about the setting or the account.
    const wrong = await post(`${app.url}/api/auth/token`, { username: 'grace', password: 'wrong password!' });
    expect((await problem(wrong)).code).toBe('invalid_credentials');
    // On record ('sso-password-off' in docs/security.md's audit table).
    const db = await app.db();
    const grace = await db.user.findUniqueOrThrow({ where: { username: 'grace' } });
    const events = await db.auditEvent.findMany({ where: { type: 'sign_in.failure', userId: grace.id } });
    expect(events.map((event) => JSON.parse(event.detail ?? '{}') as { reason?: string })).toContainEqual({
      reason: 'password_sign_in_disabled',
    });
  });
});

describe('a provider that cannot be reached', () => {
  it('lets the app start, says single sign-on is unavailable, keeps passwords working, and recovers', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const appPort = await freePort();
    const app = await startServer({
      label: 'sso-down',
      port: appPort,
      env: {
        APP_ORIGIN: `http://127.0.0.1:${appPort}`,
        ...idp.env({ OIDC_ISSUER: issuer }),
      },
    });
    let late: TestIdp | undefined;
    try {
      const status = (await (await fetch(`${app.url}/api/auth/oidc`)).json()) as { available: boolean };
      expect(status.available).toBe(false);
      const start = await post(`${app.url}/api/auth/oidc/start`, {});
      expect(start.status).toBe(503);
      expect((await problem(start)).code).toBe('sso_unavailable');
      expect(start.headers.get('retry-after')).toEqual(expect.any(String));
      expect(app.output()).toMatch(/single sign-on is unavailable/);
      expect((await signIn(app.url, ADMIN.username, ADMIN.password)).access_token).toEqual(expect.any(String));
      // The provider comes up on that address: within the retry interval, sign-in through it works.
      late = await startIdp({ port, apps: [`http://127.0.0.1:${appPort}`] });
      const deadline = Date.now() + 20_000;
      let available = false;
      while (!available && Date.now() < deadline) {
        available = ((await (await fetch(`${app.url}/api/auth/oidc`)).json()) as { available: boolean }).available;
        if (!available) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(available).toBe(true);
    } finally {
      await app.stop();
      await late?.stop();
    }
  });
});
