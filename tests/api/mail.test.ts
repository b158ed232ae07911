// E-mail against a real SMTP server (smtp-server, read with mailparser): forgotten passwords,
// address verification, new-device alerts with "this wasn't me", and the outbox keeping mail
// while the SMTP server is down.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/users';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { TEST_PROVIDER } from '../helpers/databases';
import { ADMIN, freePort, startServer, type TestServer } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server';
import { enrolAuthenticator } from '../helpers/totp';

let smtp: TestSmtp;
let app: TestServer;

const PASSWORD = 'a long enough password for tests';

async function startMailApp(env: Record<string, string> = {}, options: { databaseUrl?: string; secret?: string } = {}) {
  const port = await freePort();
  return startServer({
    label: 'mail',
    port,
    ...options,
    env: {
      APP_ORIGIN: `http://127.0.0.1:${port}`,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Stay signed in <auth@example.test>',
      MAIL_RETRY_SECONDS: '1',
      TRUST_PROXY: 'true',
      ...env,
    },
  });
}

let counter = 0;
/** An account with a verified address (an administrator set it), and its address. */
async function accountWithAddress(server = app) {
  const username = `mailer${++counter}-${randomBytes(2).toString('hex')}`;
  const email = `${username}@example.test`;
  await createUser(await server.users(), { username, password: PASSWORD, email });
  return { username, email };
}

/** A sign-in from one device (its id and browser), from its own address. */
async function signInFrom(server: TestServer, username: string, device: string, userAgent = CHROME) {
  const response = await post(
    `${server.url}/api/auth/token`,
    { username, password: PASSWORD },
    { 'x-device-id': device, 'user-agent': userAgent, 'x-forwarded-for': `10.7.${counter % 200}.${++counter % 250}` },
  );
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as TokenBody;
}

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
const device = () => randomBytes(16).toString('base64url');

function resetRequest(server: TestServer, login: string, from = '10.1.1.1') {
  return post(`${server.url}/api/auth/password-reset`, { login }, { 'x-forwarded-for': from });
}

beforeAll(async () => {
  smtp = await startSmtp();
  app = await startMailApp({ PASSWORD_RESET_MINUTES: String(3 / 60) });
});
afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
});
beforeEach(() => {
  smtp.inbox.length = 0;
});

describe('a forgotten password', () => {
  it('sends a single-use link to the verified address; following it sets the password and ends every session', async () => {
    const { username, email } = await accountWithAddress();
    const old = await signIn(app.url, username, PASSWORD);
    const asked = await resetRequest(app, username);
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({ status: 'sent_if_known' });
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toBe('Reset your password');
    expect(mail.from).toContain('auth@example.test');
    // Simple HTML: no remote image, no script, no tracking.
    expect(mail.html).not.toMatch(/<img|<script|https?:\/\/(?!127\.0\.0\.1)/i);
    const token = new URL(smtp.linkIn(mail, '/login/reset')).searchParams.get('token')!;
    const reset = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'a brand new password!',
    });
    expect(reset.status).toBe(200);
    const fresh = (await reset.json()) as TokenBody;
    expect((await me(app.url, fresh.access_token)).status).toBe(200);
    // Every earlier session has ended; the new password signs in, the old one no longer does.
    expect((await problem(await refresh(app.url, old.refresh_token))).code).toBe('session_revoked');
    expect((await signIn(app.url, username, 'a brand new password!')).access_token).toEqual(expect.any(String));
    const again = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'yet another password!',
    });
    expect(again.status).toBe(400);
    expect((await problem(again)).code).toBe('link_invalid');
  });

  it('answers the same, after the same minimum time, for an unknown account, and sends nothing', async () => {
    const { username } = await accountWithAddress();
    const times: number[] = [];
    for (const login of [username, 'nobody-by-that-name', 'nobody@example.test']) {
      const started = Date.now();
      const response = await resetRequest(app, login, `10.2.0.${times.length + 1}`);
      times.push(Date.now() - started);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ status: 'sent_if_known' });
    }
    // Nothing about the account decides when the answer comes: every one waits out the same floor.
    for (const time of times) expect(time).toBeGreaterThanOrEqual(390);
    await smtp.waitFor((m) => m.subject === 'Reset your password');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.inbox).toHaveLength(1);
  });

  it('finds the account by its verified address too, but never by an unverified one', async () => {
    const { email } = await accountWithAddress();
    expect((await resetRequest(app, email.toUpperCase(), '10.3.0.1')).status).toBe(202);
    await smtp.waitFor((m) => m.to.includes(email));
    const users = await app.users();
    await createUser(users, { username: 'unverified-one', password: PASSWORD });
    const db = await app.db();
    await db.user.update({ where: { username: 'unverified-one' }, data: { email: 'unverified@example.test' } });
    smtp.inbox.length = 0;
    expect((await resetRequest(app, 'unverified@example.test', '10.3.0.2')).status).toBe(202);
    expect((await resetRequest(app, 'unverified-one', '10.3.0.3')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.inbox).toEqual([]);
  });

  it('voids a link when the password changes meanwhile, and lets one expire', async () => {
    const { username, email } = await accountWithAddress();
    await resetRequest(app, username, '10.4.0.1');
    const first = await smtp.waitFor((m) => m.to.includes(email));
    const token = new URL(smtp.linkIn(first, '/login/reset')).searchParams.get('token')!;
    const session = await signIn(app.url, username, PASSWORD);
    const changed = await fetch(`${app.url}/api/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.access_token}` },
      body: JSON.stringify({ current_password: PASSWORD, new_password: 'changed by its owner!' }),
    });
    expect(changed.status).toBe(200);
    const voided = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'the attacker wants this',
    });
    expect((await problem(voided)).code).toBe('link_invalid');
    // A link followed after PASSWORD_RESET_MINUTES (3 s here) is refused.
    smtp.inbox.length = 0;
    await resetRequest(app, username, '10.4.0.2');
    const second = await smtp.waitFor((m) => m.to.includes(email));
    const late = new URL(smtp.linkIn(second, '/login/reset')).searchParams.get('token')!;
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const expired = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token: late,
      new_password: 'too late for this one',
    });
    expect((await problem(expired)).code).toBe('link_invalid');
  });

  it('keeps the link when the new password is too weak, so it can be tried again', async () => {
    const { username, email } = await accountWithAddress();
    await resetRequest(app, username, '10.5.0.1');
    const token = new URL(
      smtp.linkIn(await smtp.waitFor((m) => m.to.includes(email)), '/login/reset'),
    ).searchParams.get('token')!;
    const weak = await post(`${app.url}/api/auth/password-reset/confirm`, { token, new_password: 'short' });
    expect(weak.status).toBe(400);
    expect((await problem(weak)).code).toBe('invalid_request');
    const strong = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'long and strong enough',
    });
    expect(strong.status).toBe(200);
  });

  it('still asks an account with an authenticator app for its code after the reset', async () => {
    const { username, email } = await accountWithAddress();
    const session = await signIn(app.url, username, PASSWORD);
    const authenticator = await enrolAuthenticator(app.url, session.access_token);
    await resetRequest(app, username, '10.6.0.1');
    const token = new URL(
      smtp.linkIn(await smtp.waitFor((m) => m.to.includes(email)), '/login/reset'),
    ).searchParams.get('token')!;
    const reset = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'reset but guarded still',
    });
    expect(reset.status).toBe(403);
    const body = (await reset.json()) as { code: string; mfa_token: string };
    expect(body.code).toBe('mfa_required');
    const completed = await post(`${app.url}/api/auth/mfa`, {
      mfa_token: body.mfa_token,
      code: await authenticator.next(),
    });
    expect(completed.status).toBe(200);
  });

  it('sends at most three reset mails an hour to one account, and only the newest link works', async () => {
    const { username, email } = await accountWithAddress();
    // By name and by address, from four addresses: no per-name or per-address limit is reached.
    for (const [i, login] of [username, email, username, email].entries()) {
      expect((await resetRequest(app, login, `10.10.${i}.1`)).status).toBe(202);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const links = smtp.inbox
      .filter((m) => m.to.includes(email))
      .map((m) => new URL(smtp.linkIn(m, '/login/reset')).searchParams.get('token')!);
    expect(links).toHaveLength(3);
    const older = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token: links[0],
      new_password: 'from an older mail',
    });
    expect((await problem(older)).code).toBe('link_invalid');
    const newest = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token: links[2],
      new_password: 'from the newest mail',
    });
    expect(newest.status).toBe(200);
  });

  it('never gives a password to an account without one, or to a disabled one', async () => {
    const passwordless = await accountWithAddress();
    const disabled = await accountWithAddress();
    const db = await app.db();
    // As an account created through single sign-on, or one a passkey alone opens.
    await db.user.update({ where: { username: passwordless.username }, data: { passwordHash: '' } });
    await db.user.update({ where: { username: disabled.username }, data: { disabled: true } });
    expect((await resetRequest(app, passwordless.email, '10.11.0.1')).status).toBe(202);
    expect((await resetRequest(app, disabled.username, '10.11.0.2')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.inbox).toEqual([]);
  });

  it('throttles requests per address and per name typed (429 with Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await resetRequest(app, 'flooded-name', '10.9.9.9')).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses).toContain(429);
  });
});

describe('e-mail addresses', () => {
  it('uses a new address only once the link sent to it is followed, and tells the old address', async () => {
    const { username, email } = await accountWithAddress();
    const session = await signIn(app.url, username, PASSWORD);
    const bearer = { authorization: `Bearer ${session.access_token}` };
    const asked = await post(`${app.url}/api/auth/email`, { email: 'New.Address@Example.test' }, bearer);
    expect(asked.status).toBe(202);
    expect(((await (await me(app.url, session.access_token)).json()) as { email: string }).email).toBe(email);
    const mail = await smtp.waitFor((m) => m.to.includes('new.address@example.test'));
    const token = new URL(smtp.linkIn(mail, '/login/verify-email')).searchParams.get('token')!;
    const verified = await post(`${app.url}/api/auth/email/verify`, { token });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ email: 'new.address@example.test' });
    const now = (await (await me(app.url, session.access_token)).json()) as { email: string; emailVerified: boolean };
    expect(now).toMatchObject({ email: 'new.address@example.test', emailVerified: true });
    await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'The e-mail address of your account changed');
    expect((await problem(await post(`${app.url}/api/auth/email/verify`, { token }))).code).toBe('link_invalid');
  });

  it('keeps addresses unique whatever their case, without telling the asker whose address it is', async () => {
    const { email } = await accountWithAddress();
    const other = await accountWithAddress();
    const session = await signIn(app.url, other.username, PASSWORD);
    const bearer = { authorization: `Bearer ${session.access_token}` };
    // The same answer as for a free address; the mail that goes there says it is taken, with no link.
    const asked = await post(`${app.url}/api/auth/email`, { email: email.toUpperCase() }, bearer);
    expect(asked.status).toBe(202);
    const told = await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Confirm your e-mail address');
    expect(told.text).toContain('another account already uses it');
    expect(told.text).not.toContain('/login/verify-email');
    expect(((await (await me(app.url, session.access_token)).json()) as { email: string }).email).toBe(other.email);
    // A link for an address that another account takes meanwhile: refused when followed.
    const free = `free-${randomBytes(3).toString('hex')}@example.test`;
    await post(`${app.url}/api/auth/email`, { email: free }, bearer);
    const link = smtp.linkIn(await smtp.waitFor((m) => m.to.includes(free)), '/login/verify-email');
    const third = await accountWithAddress();
    const db = await app.db();
    await db.user.update({ where: { username: third.username }, data: { email: free } });
    const late = await post(`${app.url}/api/auth/email/verify`, { token: new URL(link).searchParams.get('token') });
    expect(late.status).toBe(409);
    expect((await problem(late)).code).toBe('conflict');
  });

  it('sends at most five verification mails an hour for one account (429)', async () => {
    const { username } = await accountWithAddress();
    const session = await signIn(app.url, username, PASSWORD);
    const bearer = { authorization: `Bearer ${session.access_token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await post(`${app.url}/api/auth/email`, { email: `try${i}-${username}@example.test` }, bearer)).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('voids a reset link sent to the old address once the address changes', async () => {
    const { username, email } = await accountWithAddress();
    await resetRequest(app, username, '10.12.0.1');
    const token = new URL(
      smtp.linkIn(
        await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Reset your password'),
        '/login/reset',
      ),
    ).searchParams.get('token')!;
    const session = await signIn(app.url, username, PASSWORD);
    const fresh = `moved-${username}@example.test`;
    await post(`${app.url}/api/auth/email`, { email: fresh }, { authorization: `Bearer ${session.access_token}` });
    const link = smtp.linkIn(await smtp.waitFor((m) => m.to.includes(fresh)), '/login/verify-email');
    expect(
      (await post(`${app.url}/api/auth/email/verify`, { token: new URL(link).searchParams.get('token') })).status,
    ).toBe(200);
    const old = await post(`${app.url}/api/auth/password-reset/confirm`, {
      token,
      new_password: 'from the old mailbox',
    });
    expect((await problem(old)).code).toBe('link_invalid');
  });
});

describe('new-device alerts', () => {
  it('records the first device silently, stays silent for it, and alerts a new one with a link that ends that session', async () => {
    const { username, email } = await accountWithAddress();
    const laptop = device();
    const first = await signInFrom(app, username, laptop);
    await signInFrom(app, username, laptop);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(smtp.inbox.filter((m) => m.to.includes(email))).toEqual([]);
    // Another browser: an alert by mail, and a notice for the laptop's session.
    const intruder = await signInFrom(app, username, device(), FIREFOX);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'New sign-in to your account');
    expect(mail.text).toContain('Firefox on Windows');
    const alerts = (
      (await (await me(app.url, first.access_token)).json()) as { alerts: { sessionId: string; device: string }[] }
    ).alerts;
    expect(alerts).toEqual([
      expect.objectContaining({ device: 'Firefox on Windows', sessionId: decodeClaims(intruder.access_token).sid }),
    ]);
    // "This wasn't me": that session ends, once; the laptop's does not.
    const token = new URL(smtp.linkIn(mail, '/login/not-me')).searchParams.get('token')!;
    const reported = await post(`${app.url}/api/auth/not-me`, { token });
    expect(reported.status).toBe(200);
    expect(await reported.json()).toEqual({ username, ended: true });
    expect((await me(app.url, intruder.access_token)).status).toBe(401);
    expect((await me(app.url, first.access_token)).status).toBe(200);
    expect((await problem(await post(`${app.url}/api/auth/not-me`, { token }))).code).toBe('link_invalid');
    const db = await app.db();
    expect(await db.auditEvent.count({ where: { type: 'session.reported_not_me' } })).toBeGreaterThan(0);
  });

  it('knows a device by its id and browser family, not by its address', async () => {
    const { username, email } = await accountWithAddress();
    const phone = device();
    await signInFrom(app, username, phone);
    // The same device from another network: no alert.
    await signInFrom(app, username, phone);
    // The same id in another browser family: a new device.
    await signInFrom(app, username, phone, FIREFOX);
    await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'New sign-in to your account');
    expect(smtp.inbox.filter((m) => m.to.includes(email))).toHaveLength(1);
  });
});

describe('the outbox', () => {
  it('keeps mail while the SMTP server is down, retries with backoff, and delivers it once when it returns', async () => {
    const { username, email } = await accountWithAddress();
    await smtp.stop();
    try {
      expect((await resetRequest(app, username, '10.8.0.1')).status).toBe(202);
      const admin = await signIn(app.url, ADMIN.username, ADMIN.password);
      const backlog = async () =>
        (await (
          await fetch(`${app.url}/api/admin/mail`, { headers: { authorization: `Bearer ${admin.access_token}` } })
        ).json()) as { waiting: number; recent: { attempts: number; lastError: string | null }[] };
      const deadline = Date.now() + 10_000;
      let seen = await backlog();
      while (Date.now() < deadline && !(seen.recent[0]?.attempts ?? 0)) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        seen = await backlog();
      }
      expect(seen.waiting).toBeGreaterThanOrEqual(1);
      expect(seen.recent[0]?.attempts).toBeGreaterThanOrEqual(1);
      expect(seen.recent[0]?.lastError).toMatch(/ECONNREFUSED|connect/);
    } finally {
      await smtp.start();
    }
    const mail = await smtp.waitFor((m) => m.to.includes(email), 20_000);
    expect(mail.subject).toBe('Reset your password');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(smtp.inbox.filter((m) => m.to.includes(email))).toHaveLength(1);
    const db = await app.db();
    const row = await db.mailOutbox.findFirstOrThrow({ where: { to: email } });
    // Sent, and what was sent (a single-use link) is no longer kept.
    expect(row.sentAt).not.toBeNull();
    expect(row.body).toBe('');
  });
});

describe.skipIf(TEST_PROVIDER !== 'postgresql')('the outbox on two instances', () => {
  let b: TestServer;
  beforeAll(async () => {
    b = await startMailApp({}, { databaseUrl: app.dbUrl, secret: app.secret });
  });
  afterAll(async () => {
    await b?.stop();
  });

  it('sends every message exactly once while both instances deliver', async () => {
    const accounts = await Promise.all(Array.from({ length: 12 }, () => accountWithAddress()));
    await Promise.all(
      accounts.map((account, i) => resetRequest(i % 2 === 0 ? app : b, account.username, `10.11.${i}.1`)),
    );
    for (const { email } of accounts) await smtp.waitFor((m) => m.to.includes(email), 20_000);
    // Both delivery loops keep running a while: nothing is sent a second time.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    for (const { email } of accounts)
      expect(
        smtp.inbox.filter((m) => m.to.includes(email)),
        email,
      ).toHaveLength(1);
  });
});
