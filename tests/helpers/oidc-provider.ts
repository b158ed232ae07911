/**
 * A real OpenID Provider for the tests: panva's oidc-provider on a loopback port, with one client
 * (this app, confidential, PKCE required, back-channel logout), a few accounts, its development
 * login form (any password; the login name is the subject), and consent granted up front.
 *
 * It is the provider every single sign-on test talks to over HTTP, exactly as the app talks to
 * authentik or Keycloak. Two things are the tests' own: the signing keys are made here (so a test
 * can sign a logout token, or an ID token the provider would never issue), and `tamper` rewrites
 * the provider's token response on its way out, the way a machine in the middle would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { IDP_CLIENT } from './oidc-client';
import Provider, { type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export type TestAccount = {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
  groups?: string[];
  amr?: string[];
};

/** Who the provider knows (login name = subject); anyone else signs in with only a `sub`. */
export const IDP_ACCOUNTS: Record<string, TestAccount> = {
  alice: { email: 'alice@example.test', email_verified: true, preferred_username: 'alice', name: 'Alice' },
  bob: { email: 'bob@example.test', email_verified: false, preferred_username: 'bob', name: 'Bob' },
  carol: {
    email: 'carol@example.test',
    email_verified: true,
    preferred_username: 'carol',
    groups: ['staff', 'app-admins'],
  },
  dave: { email: 'dave@example.test', email_verified: true, preferred_username: 'dave', groups: ['staff'] },
  erin: { email: 'erin@example.test', email_verified: true, preferred_username: 'erin', amr: ['pwd', 'otp', 'mfa'] },
};

export { IDP_CLIENT };

export type TokenTamper = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

export type TestIdp = {
  issuer: string;
  /** Settings for the app: OIDC_* pointing at this provider. */
  env: (extra?: Record<string, string>) => Record<string, string>;
  /** The app origins whose /login/sso the client may be sent back to (set before a sign-in). */
  allowApp: (origin: string) => void;
  /** Rewrites the next token responses until set back to null. */
  tamper: (rewrite: TokenTamper | null) => void;
  /** Signs a JWT with the provider's own RSA key (its kid), as it signs ID and logout tokens. */
  sign: (payload: JWTPayload, header?: Record<string, unknown>) => Promise<string>;
  /** Signs with a key the provider publishes too (ES256): a signature that verifies, another algorithm. */
  signWithEc: (payload: JWTPayload) => Promise<string>;
  /** Signs with a key the provider never published. */
  signWithForeignKey: (payload: JWTPayload) => Promise<string>;
  /** Back-channel logout deliveries the provider attempted: to which URI, and how they ended. */
  deliveries: { ok: number; failed: string[] };
  stop: () => Promise<void>;
};

async function privateJwk(alg: 'RS256' | 'ES256', kid: string): Promise<{ jwk: JWK; key: CryptoKey }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }, key: privateKey };
}

export async function startIdp(options: { port?: number; apps?: string[] } = {}): Promise<TestIdp> {
  const rsa = await privateJwk('RS256', 'test-rsa');
  const ec = await privateJwk('ES256', 'test-ec');
  const foreign = await privateJwk('RS256', 'test-rsa');
  const apps = new Set(options.apps ?? []);
  let rewrite: TokenTamper | null = null;
  const deliveries = { ok: 0, failed: [] as string[] };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  // The client's redirect URIs follow the apps a test starts (their ports are not known before).
  const clientMetadata = () => ({
    client_id: IDP_CLIENT.id,
    client_secret: IDP_CLIENT.secret,
    redirect_uris: [...apps].map((origin) => `${origin}/login/sso`),
    post_logout_redirect_uris: [...apps].map((origin) => `${origin}/login`),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    // One back-channel URI per client: the first app's; multi-instance tests share a database.
    backchannel_logout_uri: [...apps][0] ? `${[...apps][0]}/api/auth/oidc/backchannel-logout` : undefined,
    backchannel_logout_session_required: true,
  });

  const configuration: Configuration = {
    adapter: class {
      constructor(private readonly model: string) {}
      async find(id: string) {
        if (this.model === 'Client' && id === IDP_CLIENT.id) return clientMetadata() as unknown as AdapterPayload;
        return store.get(`${this.model}:${id}`);
      }
      async findByUid(uid: string) {
        for (const [key, value] of store) if (key.startsWith(`${this.model}:`) && value.uid === uid) return value;
        return undefined;
      }
      async findByUserCode() {
        return undefined;
      }
      async upsert(id: string, payload: AdapterPayload) {
        store.set(`${this.model}:${id}`, payload);
      }
      async consume(id: string) {
        const entry = store.get(`${this.model}:${id}`);
        if (entry) entry.consumed = Math.floor(Date.now() / 1000);
      }
      async destroy(id: string) {
        store.delete(`${this.model}:${id}`);
      }
      async revokeByGrantId(grantId: string) {
        for (const [key, value] of store) if (value.grantId === grantId) store.delete(key);
      }
    },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      return {
        accountId: sub,
        async claims() {
          return { sub, ...IDP_ACCOUNTS[sub] };
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['preferred_username', 'name'],
      groups: ['groups'],
      amr: ['amr'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Plain pages: the default ones load a web font, which a closed network cannot reach.
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`;
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = '<!DOCTYPE html><title>Signed out</title><p>Signed out at the provider.</p>';
        },
      },
    },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    // The provider refuses to call special-use addresses (an SSRF guard); here the app it calls
    // back (back-channel logout) is on loopback like everything else, so its own dispatcher goes.
    fetch: (url: string | URL | Request, options: RequestInit & { dispatcher?: unknown } = {}) => {
      const { dispatcher: _guard, ...rest } = options;
      return globalThis.fetch(url, rest);
    },
    jwks: { keys: [rsa.jwk, ec.jwk] },
    cookies: { keys: ['the-test-provider-cookie-key'] },
    // First-party: consent is given up front, so the flow is the login form and back.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId ?? '',
        accountId: ctx.oidc.session?.accountId ?? '',
      });
      grant.addOIDCScope('openid profile email groups');
      grant.addOIDCClaims(['amr']);
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Error</title><pre>${JSON.stringify(out)}</pre>`;
    },
  };
  const store = new Map<string, AdapterPayload>();
  const provider = new Provider(issuer, configuration);
  // Tests run over plain HTTP on loopback.
  provider.proxy = false;
  provider.on('backchannel.success', () => {
    deliveries.ok++;
  });
  provider.on('backchannel.error', (_ctx, error: Error) => {
    deliveries.failed.push(`${String(error)} ${error.cause instanceof Error ? error.cause.message : ''}`);
  });
  provider.use(async (ctx, next) => {
    await next();
    if (rewrite && ctx.path === '/token' && ctx.status === 200 && typeof ctx.body === 'object' && ctx.body !== null) {
      ctx.body = await rewrite(ctx.body as Record<string, unknown>);
    }
  });
  const handle = provider.callback();
  server.on('request', (request, response) => void handle(request, response));

  const sign =
    (key: CryptoKey, alg: string, kid: string) =>
    (payload: JWTPayload, header: Record<string, unknown> = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg, kid, ...header }).sign(key);

  return {
    issuer,
    env: (extra = {}) => ({
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: IDP_CLIENT.id,
      OIDC_CLIENT_SECRET: IDP_CLIENT.secret,
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_DISPLAY_NAME: 'Test IdP',
      ...extra,
    }),
    allowApp: (origin) => apps.add(origin),
    tamper: (next) => {
      rewrite = next;
    },
    sign: sign(rsa.key, 'RS256', 'test-rsa'),
    signWithEc: sign(ec.key, 'ES256', 'test-ec'),
    signWithForeignKey: sign(foreign.key, 'RS256', 'test-rsa'),
    deliveries,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookies for one provider, as a test drives its pages over HTTP. */
export class ProviderBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly idp: Pick<TestIdp, 'issuer'>) {}

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = (pair ?? '').split('=');
      if (!name) continue;
      const value = rest.join('=');
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.idp.issuer);
    const headers = new Headers(init.headers);
    if (target.origin === new URL(this.idp.issuer).origin && this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.keep(response);
    return response;
  }

  /** Follows the provider's redirects until one leaves it (to the app); that address. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
    let response = await this.request(url, init);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url, response };
      url = new URL(location, url).href;
      if (new URL(url).origin !== new URL(this.idp.issuer).origin) return { url, response };
      response = await this.request(url);
    }
    throw new Error('the provider redirected too often');
  }

  /**
   * Signs in at the provider's login form as `login` (any password) for the authorization request
   * `authorizationUrl`; the address the provider sends the browser back to (/login/sso?code=...).
   */
  async signIn(authorizationUrl: string, login: string): Promise<URL> {
    let step = await this.follow(authorizationUrl);
    if (new URL(step.url).origin === new URL(this.idp.issuer).origin) {
      const page = await step.response.text();
      const action = /action="([^"]+)"/.exec(page)?.[1];
      if (!action) throw new Error(`the provider showed no login form at ${step.url}: ${page.slice(0, 300)}`);
      step = await this.follow(new URL(action.replace(/&amp;/g, '&'), step.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any password' }),
      });
    }
    const back = new URL(step.url);
    if (back.origin === new URL(this.idp.issuer).origin) {
      throw new Error(`the provider did not send the browser back: ${step.url} ${await step.response.text()}`);
    }
    return back;
  }

  /** Signs out at the provider (its end-session page, confirmed): it tells the app by back-channel. */
  async signOut(): Promise<void> {
    const page = await this.request(`/session/end?client_id=${IDP_CLIENT.id}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!xsrf) throw new Error('the provider showed no sign-out form');
    const confirmed = await this.request('/session/end/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    if (confirmed.status >= 400) throw new Error(`signing out at the provider failed: ${confirmed.status}`);
  }
}
