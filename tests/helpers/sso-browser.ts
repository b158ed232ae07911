/** Single sign-on as a browser does it, over HTTP: start, the provider's form, the return to the app. */
import { expect } from 'vitest';
import type { TokenBody } from './http';
import { post } from './http';
import { ProviderBrowser, type TestIdp } from './oidc-provider';
import { freePort, startServer, type TestServer } from './server';

/** A sign-in through the provider as a browser does it: start, the provider's form, the return. */
export class SsoBrowser {
  readonly provider: ProviderBrowser;
  binding = '';
  /** The binding cookie's name as the app set it (`__Host-` prefixed over HTTPS). */
  cookieName = 'staysignedin_sso';

  constructor(
    private readonly server: TestServer,
    identityProvider: TestIdp,
  ) {
    this.provider = new ProviderBrowser(identityProvider);
  }

  /** POST /api/auth/oidc/start (or a link or re-authentication start, with a token): the provider's URL. */
  async start(path = '/api/auth/oidc/start', body: unknown = {}, headers: Record<string, string> = {}) {
    const response = await post(`${this.server.url}${path}`, body, headers);
    if (response.status !== 200) throw new Error(`start: ${response.status} ${await response.text()}`);
    const cookie = response.headers.getSetCookie().find((line) => /^(__Host-)?staysignedin_sso=/.test(line));
    const [, name = this.cookieName, value = ''] = /^([^=]+)=([^;]*)/.exec(cookie ?? '') ?? [];
    this.cookieName = name;
    this.binding = value;
    return ((await response.json()) as { authorization_url: string }).authorization_url;
  }

  /** The provider's answer (what it put on /login/sso), after signing in there as `login`. */
  async answer(authorizationUrl: string, login: string): Promise<Record<string, string>> {
    const back = await this.provider.signIn(authorizationUrl, login);
    expect(back.pathname).toBe('/login/sso');
    return Object.fromEntries(back.searchParams);
  }

  /** POST /api/auth/oidc/callback with the answer, as /login/sso does (binding cookie included). */
  finish(
    answer: Record<string, string>,
    headers: Record<string, string> = {},
    binding = this.binding,
    cookieName = this.cookieName,
  ) {
    return post(`${this.server.url}/api/auth/oidc/callback`, answer, {
      ...(binding ? { cookie: `${cookieName}=${binding}` } : {}),
      ...headers,
    });
  }

  /** The whole sign-in; the token answer. */
  async signIn(login: string): Promise<TokenBody & { next: string | null }> {
    const response = await this.finish(await this.answer(await this.start(), login));
    if (response.status !== 200) throw new Error(`sso sign-in: ${response.status} ${await response.text()}`);
    return (await response.json()) as TokenBody & { next: string | null };
  }
}

/** A production server whose single sign-on goes to `idp` (APP_ORIGIN known to the provider). */
export async function startSsoApp(
  idp: TestIdp,
  env: Record<string, string> = {},
  options: { databaseUrl?: string; secret?: string; label?: string } = {},
): Promise<TestServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  idp.allowApp(origin);
  return startServer({ label: options.label ?? 'sso', port, ...options, env: { APP_ORIGIN: origin, ...idp.env(env) } });
}

/** Rows that a refused sign-in must not have added. */
export async function countRows(server: TestServer) {
  const db = await server.db();
  return {
    users: await db.user.count(),
    sessions: await db.session.count(),
    identities: await db.externalIdentity.count(),
  };
}
