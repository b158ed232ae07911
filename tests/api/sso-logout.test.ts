// OpenID Connect Back-Channel Logout 1.0: logout tokens from the provider end the sessions they
// name, on every instance within the revocation feed's poll; every malformed or replayed token is
// refused and ends nothing. Against a real OpenID Provider (oidc-provider), whose keys sign them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDER } from '../helpers/databases';
import { decodeClaims } from '../helpers/forge';
import { me, problem, refresh, signIn } from '../helpers/http';
import { IDP_CLIENT, startIdp, type TestIdp } from '../helpers/oidc-provider';
import { ADMIN, type TestServer } from '../helpers/server';
import { SsoBrowser, startSsoApp } from '../helpers/sso-browser';
import { until } from '../helpers/wait';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let idp: TestIdp;
let app: TestServer;
beforeAll(async () => {
  idp = await startIdp();
  // Configured with a trailing slash the provider's own issuer does not have: tokens are checked,
  // and sessions found, under the provider's spelling all the same.
  app = await startSsoApp(idp, { OIDC_AUTO_CREATE: 'true', OIDC_ISSUER: `${idp.issuer}/` });
});
afterAll(async () => {
  await app?.stop();
  await idp?.stop();
});

/** A signed-in session through the provider: its tokens and the provider's session id. */
async function ssoSession(server: TestServer, login: string) {
  const tokens = await new SsoBrowser(server, idp).signIn(login);
  const db = await server.db();
  const session = await db.session.findUniqueOrThrow({
    where: { id: decodeClaims(tokens.access_token).sid as string },
  });
  return { tokens, sid: session.ssoSid!, sessionId: session.id };
}

function logoutClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: idp.issuer,
    aud: IDP_CLIENT.id,
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(12).toString('base64url'),
    events: { [LOGOUT_EVENT]: {} },
    ...overrides,
  };
}

function deliver(server: TestServer, token: string): Promise<Response> {
  return fetch(`${server.url}/api/auth/oidc/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }),
  });
}

async function stillLive(server: TestServer, accessToken: string): Promise<boolean> {
  return (await me(server.url, accessToken)).status === 200;
}

describe('back-channel logout', () => {
  it('ends the session a logout token names by sid, access and refresh tokens alike, and answers 200', async () => {
    const { tokens, sid } = await ssoSession(app, 'alice');
    const response = await deliver(app, await idp.sign(logoutClaims({ sid }), { typ: 'logout+jwt' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await stillLive(app, tokens.access_token)).toBe(false);
    expect((await problem(await refresh(app.url, tokens.refresh_token))).code).toBe('session_revoked');
    const db = await app.db();
    expect(await db.auditEvent.count({ where: { type: 'sso.backchannel_logout' } })).toBeGreaterThan(0);
  });

  it('ends every session of the user that began through the provider when it names only sub', async () => {
    const first = await ssoSession(app, 'carol');
    const second = await ssoSession(app, 'carol');
    const password = await signIn(app.url, ADMIN.username, ADMIN.password);
    expect((await deliver(app, await idp.sign(logoutClaims({ sub: 'carol' })))).status).toBe(200);
    expect(await stillLive(app, first.tokens.access_token)).toBe(false);
    expect(await stillLive(app, second.tokens.access_token)).toBe(false);
    expect(await stillLive(app, password.access_token)).toBe(true);
  });

  it('with both sid and sub, ends only that session of that user', async () => {
    const first = await ssoSession(app, 'dave');
    const other = await ssoSession(app, 'erin');
    // erin's sid with dave's sub: nothing of erin's ends.
    expect((await deliver(app, await idp.sign(logoutClaims({ sid: other.sid, sub: 'dave' })))).status).toBe(200);
    expect(await stillLive(app, other.tokens.access_token)).toBe(true);
    expect(await stillLive(app, first.tokens.access_token)).toBe(true);
    expect((await deliver(app, await idp.sign(logoutClaims({ sid: first.sid, sub: 'dave' })))).status).toBe(200);
    expect(await stillLive(app, first.tokens.access_token)).toBe(false);
  });

  it('accepts a user the provider knows and this app does not, ending nothing', async () => {
    const { tokens } = await ssoSession(app, 'alice');
    expect((await deliver(app, await idp.sign(logoutClaims({ sub: 'nobody-here' })))).status).toBe(200);
    expect(await stillLive(app, tokens.access_token)).toBe(true);
  });

  describe('refuses, with 400 invalid_request, and ends nothing', () => {
    const cases: [string, (sid: string) => Promise<string>][] = [
      ['a replayed token (its jti again)', async (sid) => idp.sign(logoutClaims({ sid, jti: 'used-once-only' }))],
      [
        'an unsigned token (alg none)',
        async (sid) => {
          const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
          return `${part({ alg: 'none' })}.${part(logoutClaims({ sid }))}.`;
        },
      ],
      ['a token signed by a key the provider never published', (sid) => idp.signWithForeignKey(logoutClaims({ sid }))],
      ['a token signed with another algorithm', (sid) => idp.signWithEc(logoutClaims({ sid }))],
      ['a token for another audience', (sid) => idp.sign(logoutClaims({ sid, aud: 'another-client' }))],
      ['a token from another issuer', (sid) => idp.sign(logoutClaims({ sid, iss: 'https://elsewhere.example' }))],
      ['a token that carries a nonce (an ID token)', (sid) => idp.sign(logoutClaims({ sid, nonce: 'n-0S6_WzA2Mj' }))],
      ['a token without the logout event', (sid) => idp.sign(logoutClaims({ sid, events: { other: {} } }))],
      ['a token with neither sid nor sub', () => idp.sign(logoutClaims())],
      ['a token without a jti', (sid) => idp.sign(logoutClaims({ sid, jti: undefined }))],
      ['a token issued long ago', (sid) => idp.sign(logoutClaims({ sid, iat: Math.floor(Date.now() / 1000) - 3600 }))],
      ['something that is not a JWT', async () => 'not.a.jwt'],
    ];
    for (const [what, make] of cases) {
      it(what, async () => {
        const { tokens, sid } = await ssoSession(app, 'alice');
        if (what.startsWith('a replayed')) {
          const other = await ssoSession(app, 'alice');
          expect(
            (await deliver(app, await idp.sign(logoutClaims({ sid: other.sid, jti: 'used-once-only' })))).status,
          ).toBe(200);
        }
        const response = await deliver(app, await make(sid));
        expect(response.status).toBe(400);
        const body = await problem(response);
        expect(body.code).toBe('invalid_request');
        // The OAuth error member, as §2.8 asks.
        expect((body as { error?: string }).error).toBe('invalid_request');
        expect(await stillLive(app, tokens.access_token)).toBe(true);
      });
    }

    it('a body without a logout_token, or of another type', async () => {
      const empty = await fetch(`${app.url}/api/auth/oidc/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(empty.status).toBe(400);
      const json = await fetch(`${app.url}/api/auth/oidc/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logout_token: 'x' }),
      });
      expect(json.status).toBe(415);
    });
  });

  it('records refused tokens in the audit log, but no more than 30 a minute however many come', async () => {
    const db = await app.db();
    const before = await db.auditEvent.count({ where: { type: 'sso.logout_refused' } });
    expect(before).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 70; i++) expect((await deliver(app, 'not.a.jwt')).status).toBe(400);
    // At most two minutes' allowance (30 each) even if the flood straddled a minute's end.
    expect((await db.auditEvent.count({ where: { type: 'sso.logout_refused' } })) - before).toBeLessThanOrEqual(60);
  });
});

describe.skipIf(TEST_PROVIDER !== 'postgresql')('back-channel logout on two instances', () => {
  let b: TestServer;
  beforeAll(async () => {
    b = await startSsoApp(
      idp,
      { OIDC_AUTO_CREATE: 'true' },
      { databaseUrl: app.dbUrl, secret: app.secret, label: 'sso-b' },
    );
  });
  afterAll(async () => {
    await b?.stop();
  });

  it('ends the session on both within 2 s when the provider tells one of them', async () => {
    const { tokens, sid } = await ssoSession(app, 'alice');
    expect(await stillLive(b, tokens.access_token)).toBe(true);
    expect((await deliver(app, await idp.sign(logoutClaims({ sid })))).status).toBe(200);
    const told = Date.now();
    const ended = await until(
      () => stillLive(b, tokens.access_token),
      (live) => !live,
      { timeoutMs: 2000, everyMs: 50 },
    );
    expect(ended).toBe(false);
    expect(Date.now() - told).toBeLessThan(2000);
  });
});
