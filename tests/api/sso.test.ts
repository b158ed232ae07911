// Single sign-on against a real OpenID Provider (oidc-provider on loopback): the code flow with
// PKCE, state, nonce and the browser binding, every tampering case, linking rules, and logout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdentitiesResponse, LogoutResponse, SsoCallbackResponse, SsoStartResponse, SsoStatus } from '@/lib/api/sso';
import { dpopProof, newDpopKey } from '../helpers/dpop';
import { decodeClaims } from '../helpers/forge';
import { me, post, problem, refresh, signIn, type TokenBody } from '../helpers/http';
import { IDP_CLIENT, startIdp, type TestIdp } from '../helpers/oidc-provider';
import { ADMIN, type TestServer } from '../helpers/server';
import { countRows, SsoBrowser, startSsoApp } from '../helpers/sso-browser';
import { until } from '../helpers/wait';

let idp: TestIdp;
let app: TestServer;

beforeAll(async () => {
  idp = await startIdp();
  app = await startSsoApp(idp, { OIDC_AUTO_CREATE: 'true', TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await app?.stop();
  await idp?.stop();
});
beforeEach(() => idp.tamper(null));

describe('signing in through the OpenID Provider', () => {
  it('says what it offers: enabled, available, under its display name', async () => {
    const response = await fetch(`${app.url}/api/auth/oidc`);
    expect(await response.json()).toEqual({ enabled: true, available: true, name: 'Test IdP', only: false });
  });

  it('sends the browser to the provider with PKCE (S256), state, nonce and the registered redirect URI', async () => {
    const browser = new SsoBrowser(app, idp);
    const url = new URL(await browser.start());
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('client_id')).toBe(IDP_CLIENT.id);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(`${app.url}/login/sso`);
    expect(browser.binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs a new user in with an ordinary session of ours: rotation, access, the provider on the session', async () => {
    const before = await countRows(app);
    const tokens = await new SsoBrowser(app, idp).signIn('alice');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const who = await me(app.url, tokens.access_token);
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({
      username: 'alice',
      role: 'user',
      session: { method: 'single sign-on (Test IdP)' },
    });
    const rotated = await refresh(app.url, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const after = await countRows(app);
    expect(after).toEqual({
      users: before.users + 1,
      sessions: before.sessions + 1,
      identities: before.identities + 1,
    });
    const db = await app.db();
    const session = await db.session.findUniqueOrThrow({
      where: { id: decodeClaims(tokens.access_token).sid as string },
    });
    expect(session.ssoIssuer).toBe(idp.issuer);
    expect(session.ssoSid).toEqual(expect.any(String));
    // The verified address came along with the new account.
    expect(await db.user.findUniqueOrThrow({ where: { username: 'alice' } })).toMatchObject({
      email: 'alice@example.test',
    });
  });

  it('signs the same identity in to the same account the next time, by iss and sub', async () => {
    const first = await new SsoBrowser(app, idp).signIn('alice');
    const second = await new SsoBrowser(app, idp).signIn('alice');
    expect(decodeClaims(second.access_token).sub).toBe(decodeClaims(first.access_token).sub);
  });

  it('records how the provider authenticated the user: its amr (RFC 8176 words) and auth_time', async () => {
    const signedInThere = Math.floor(Date.now() / 1000) - 120;
    idp.tamper(async (body) => {
      const claims = decodeClaims(body.id_token as string);
      // As a provider that asked for a second factor reports it (re-signed with its own key).
      return {
        ...body,
        id_token: await idp.sign({ ...claims, amr: ['pwd', 'otp', 'mfa', 'not-a-method'], auth_time: signedInThere }),
      };
    });
    const tokens = await new SsoBrowser(app, idp).signIn('erin');
    idp.tamper(null);
    const claims = decodeClaims(tokens.access_token);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.auth_time).toBe(signedInThere);
    const db = await app.db();
    const session = await db.session.findUniqueOrThrow({ where: { id: claims.sid as string } });
    expect(session.amr).toBe('pwd otp mfa');
    expect(session.authTime?.getTime()).toBe(signedInThere * 1000);
  });

  it('keeps the next path through the provider, with the same open-redirect rule as the sign-in page', async () => {
    for (const [asked, kept] of [
      ['/dashboard/sessions?tab=1', '/dashboard/sessions?tab=1'],
      ['https://evil.example/steal', '/dashboard'],
      ['/.//evil.example', '/dashboard'],
    ] as const) {
      const browser = new SsoBrowser(app, idp);
      const answer = await browser.answer(await browser.start('/api/auth/oidc/start', { next: asked }), 'alice');
      const response = await browser.finish(answer);
      expect(((await response.json()) as { next: string }).next).toBe(kept);
    }
  });

  it('binds the session to the DPoP key of the browser that finished the sign-in', async () => {
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start(), 'alice');
    const key = await newDpopKey();
    const response = await browser.finish(answer, { dpop: await dpopProof(key, `${app.url}/api/auth/oidc/callback`) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    // The refresh token names the key (access tokens stay Bearer unless DPOP_ACCESS_TOKENS).
    expect(decodeClaims(body.refresh_token).cnf).toEqual({ jkt: key.jkt });
    const db = await app.db();
    const sid = decodeClaims(body.access_token).sid as string;
    expect((await db.session.findUniqueOrThrow({ where: { id: sid } })).dpopJkt).toBe(key.jkt);
    // A copy of the refresh token without the key is worth nothing.
    expect((await problem(await refresh(app.url, body.refresh_token))).code).toBe('invalid_dpop_proof');
  });
});

describe('the wire contract of single sign-on', () => {
  it('holds for the status, the start, the return, the identities and the sign-out with the provider', async () => {
    expect(SsoStatus.safeParse(await (await fetch(`${app.url}/api/auth/oidc`)).json()).error).toBeUndefined();
    const browser = new SsoBrowser(app, idp);
    const started = await post(`${app.url}/api/auth/oidc/start`, {});
    expect(SsoStartResponse.safeParse(await started.clone().json()).error).toBeUndefined();
    const answer = await browser.answer(await browser.start(), 'alice');
    const finished = await browser.finish(answer);
    const body = SsoCallbackResponse.parse(await finished.json());
    if (body.intent !== 'sign_in') throw new Error('expected a sign-in');
    const identities = await fetch(`${app.url}/api/auth/identities`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(IdentitiesResponse.safeParse(await identities.json()).error).toBeUndefined();
    const out = await post(`${app.url}/api/auth/logout`, { refresh_token: body.refresh_token });
    expect(LogoutResponse.safeParse(await out.json()).error).toBeUndefined();
  });
});

describe('tampering is refused and creates nothing', () => {
  async function refused(response: Response, code = 'sso_failed') {
    expect(response.status).toBe(code === 'sso_failed' ? 400 : 403);
    expect((await problem(response)).code).toBe(code);
  }

  it('refuses a tampered state, a missing one, and a state replayed after it was used', async () => {
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start(), 'alice');
    const before = await countRows(app);
    await refused(await browser.finish({ ...answer, state: `${answer.state}x` }));
    const missing = await browser.finish({ code: answer.code! });
    expect(missing.status).toBe(400);
    expect((await problem(missing)).code).toBe('invalid_request');
    expect((await browser.finish(answer)).status).toBe(200);
    await refused(await browser.finish(answer));
    expect((await countRows(app)).sessions).toBe(before.sessions + 1);
  });

  it('refuses a return finished in another browser (no binding cookie, or another one)', async () => {
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start(), 'alice');
    const before = await countRows(app);
    await refused(await browser.finish(answer, {}, ''));
    const again = new SsoBrowser(app, idp);
    const second = await again.answer(await again.start(), 'alice');
    await refused(await again.finish(second, {}, browser.binding));
    expect(await countRows(app)).toEqual(before);
  });

  it('over HTTPS binds with a __Host- cookie, and ignores a plain-named one another subdomain could plant', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start('/api/auth/oidc/start', {}, https), 'alice');
    expect(browser.cookieName).toBe('__Host-staysignedin_sso');
    const before = await countRows(app);
    // The same value under the name a sibling subdomain can set: not the cookie we look for.
    await refused(await browser.finish(answer, https, browser.binding, 'staysignedin_sso'));
    expect(await countRows(app)).toEqual(before);
    const again = new SsoBrowser(app, idp);
    const second = await again.answer(await again.start('/api/auth/oidc/start', {}, https), 'alice');
    const started = await post(`${app.url}/api/auth/oidc/start`, {}, https);
    expect(started.headers.getSetCookie()[0]).toMatch(
      /^__Host-staysignedin_sso=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );
    expect((await again.finish(second, https)).status).toBe(200);
  });

  it('refuses a reused code (its state is spent too) and a code the provider never issued', async () => {
    const browser = new SsoBrowser(app, idp);
    const answer = await browser.answer(await browser.start(), 'alice');
    expect((await browser.finish(answer)).status).toBe(200);
    // The same code under a fresh state of this browser: the provider refuses it a second time.
    const fresh = new SsoBrowser(app, idp);
    const other = await fresh.answer(await fresh.start(), 'alice');
    const before = await countRows(app);
    await refused(await fresh.finish({ ...other, code: answer.code! }));
    const third = new SsoBrowser(app, idp);
    const made = await third.answer(await third.start(), 'alice');
    await refused(await third.finish({ ...made, code: 'a-code-nobody-issued' }));
    expect(await countRows(app)).toEqual(before);
  });

  it('refuses an answer whose code belongs to another sign-in (its PKCE verifier does not match)', async () => {
    const one = new SsoBrowser(app, idp);
    const first = await one.answer(await one.start(), 'alice');
    const two = new SsoBrowser(app, idp);
    const second = await two.answer(await two.start(), 'alice');
    const before = await countRows(app);
    // Browser two's code with browser one's state: the verifier kept for that state is the wrong one.
    await refused(await one.finish({ ...first, code: second.code! }));
    expect(await countRows(app)).toEqual(before);
  });

  it('refuses an error answer from the provider (the user declined) and creates nothing', async () => {
    const browser = new SsoBrowser(app, idp);
    const url = new URL(await browser.start());
    const before = await countRows(app);
    await refused(await browser.finish({ state: url.searchParams.get('state')!, error: 'access_denied' }));
    expect(await countRows(app)).toEqual(before);
  });

  describe('an ID token that is not what it must be', () => {
    async function withIdToken(change: (claims: Record<string, unknown>) => Promise<string>) {
      idp.tamper(async (body) => {
        const claims = decodeClaims(body.id_token as string);
        return { ...body, id_token: await change(claims) };
      });
      const browser = new SsoBrowser(app, idp);
      const answer = await browser.answer(await browser.start(), 'alice');
      const before = await countRows(app);
      const response = await browser.finish(answer);
      idp.tamper(null);
      await refused(response);
      expect(await countRows(app)).toEqual(before);
    }

    it('for another audience', async () => {
      await withIdToken((claims) => idp.sign({ ...claims, aud: 'another-client' }));
    });

    it('from another issuer', async () => {
      await withIdToken((claims) => idp.sign({ ...claims, iss: 'https://another-issuer.example' }));
    });

    it('signed with another algorithm than the one allowed, by a key the provider does publish', async () => {
      await withIdToken((claims) => idp.signWithEc(claims));
    });

    it('signed by a key the provider never published', async () => {
      await withIdToken((claims) => idp.signWithForeignKey(claims));
    });

    it('unsigned (alg none)', async () => {
      await withIdToken(async (claims) => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
      });
    });

    it('expired', async () => {
      const now = Math.floor(Date.now() / 1000);
      await withIdToken((claims) => idp.sign({ ...claims, iat: now - 7200, exp: now - 3600 }));
    });

    it('with another nonce', async () => {
      await withIdToken((claims) => idp.sign({ ...claims, nonce: 'not-the-nonce-we-sent' }));
    });

    it('with no nonce at all', async () => {
      await withIdToken((claims) => {
        const { nonce: _dropped, ...rest } = claims;
        return idp.sign(rest);
      });
    });
  });
});

describe('logout', () => {
  it('answers sign-out of a single sign-on session with where to sign out at the provider', async () => {
    const tokens = await new SsoBrowser(app, idp).signIn('alice');
    const response = await post(
      `${app.url}/api/auth/logout`,
      { refresh_token: tokens.refresh_token },
      {
        authorization: `Bearer ${tokens.access_token}`,
      },
    );
    expect(response.status).toBe(200);
    const { end_session_url } = (await response.json()) as { end_session_url: string };
    const url = new URL(end_session_url);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('client_id')).toBe(IDP_CLIENT.id);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${app.url}/login`);
    // A password session signs out as ever: 204.
    const local = await signIn(app.url, ADMIN.username, ADMIN.password);
    expect((await post(`${app.url}/api/auth/logout`, { refresh_token: local.refresh_token })).status).toBe(204);
  });

  it('ends the session when the user signs out at the provider (back-channel), access tokens included', async () => {
    const browser = new SsoBrowser(app, idp);
    const tokens = await browser.signIn('alice');
    const other = await signIn(app.url, ADMIN.username, ADMIN.password);
    expect((await me(app.url, tokens.access_token)).status).toBe(200);
    const delivered = idp.deliveries.ok;
    await browser.provider.signOut();
    await until(
      () => idp.deliveries.ok + idp.deliveries.failed.length,
      (count) => count > delivered,
    );
    expect(idp.deliveries.failed).toEqual([]);
    expect((await me(app.url, tokens.access_token)).status).toBe(401);
    const refused = await refresh(app.url, tokens.refresh_token);
    expect(refused.status).toBe(401);
    // Another session of the app, not through that provider session, lives on.
    expect((await me(app.url, other.access_token)).status).toBe(200);
  });
});
