import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@/tests/helpers/paths';
import { ConfigError, parseConfig } from './config';

const SECRET = 'x'.repeat(48);

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('uses the documented defaults when nothing is set (development)', () => {
    const config = parseConfig({ DATA_DIR: tempDir('config') });
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: 'file:./data/app.db',
      accessTokenSeconds: 15 * 60,
      refreshTokenSeconds: 7 * 86_400,
      sessionMaxAgeSeconds: 30 * 86_400,
      reuseGraceSeconds: 10,
      trustProxy: false,
      port: 3000,
      cookieSecure: 'auto',
      admin: { username: 'admin', password: undefined },
    });
  });

  it('lists every problem at once rather than stopping at the first', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ACCESS_TOKEN_EXPIRE_MINUTES: 'soon',
      PORT: '99999',
      TRUST_PROXY: 'maybe',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/ACCESS_TOKEN_EXPIRE_MINUTES/);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/TRUST_PROXY/);
    expect(problems.join('\n')).toMatch(/AUTH_SECRET is required in production/);
  });

  it('refuses a short secret and placeholder secrets', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_SECRET: 'short' })[0]).toMatch(/at least 32 bytes/);
    for (const placeholder of ['changeme'.repeat(5), 'please-change-in-production-0123456789abcdef']) {
      expect(problemsOf({ NODE_ENV: 'production', AUTH_SECRET: placeholder })[0]).toMatch(/placeholder/);
    }
    expect(problemsOf({ NODE_ENV: 'production', AUTH_SECRET: SECRET, AUTH_SECRET_PREVIOUS: 'short' })[0]).toMatch(
      /AUTH_SECRET_PREVIOUS must be at least 32 bytes/,
    );
  });

  it('accepts fractional lifetimes so tests can run minute-scale flows in seconds', () => {
    const config = parseConfig({
      AUTH_SECRET: SECRET,
      ACCESS_TOKEN_EXPIRE_MINUTES: '0.25',
      REFRESH_REUSE_GRACE_SECONDS: '0.5',
    });
    expect(config.accessTokenSeconds).toBe(15);
    expect(config.reuseGraceSeconds).toBe(0.5);
  });

  it('refuses a refresh lifetime longer than the session maximum age', () => {
    expect(problemsOf({ AUTH_SECRET: SECRET, REFRESH_TOKEN_EXPIRE_DAYS: '40' })[0]).toMatch(
      /REFRESH_TOKEN_EXPIRE_DAYS must not exceed SESSION_MAX_AGE_DAYS/,
    );
  });

  it('binds passkeys to APP_ORIGIN, to localhost in development, and refuses PASSKEYS=true in production without it', () => {
    const dir = tempDir('config-rp');
    expect(parseConfig({ DATA_DIR: dir, PORT: '4100' }).relyingParty).toEqual({
      id: 'localhost',
      origin: 'http://localhost:4100',
      name: 'staysignedin',
    });
    const production = { NODE_ENV: 'production', AUTH_SECRET: SECRET, DATA_DIR: dir };
    expect(parseConfig(production).relyingParty).toBeNull();
    expect(parseConfig({ ...production, APP_ORIGIN: 'https://Auth.Example.com' }).relyingParty).toMatchObject({
      id: 'auth.example.com',
      origin: 'https://auth.example.com',
    });
    expect(problemsOf({ ...production, PASSKEYS: 'true' })).toEqual([
      expect.stringMatching(/^APP_ORIGIN is required for PASSKEYS=true in production/),
    ]);
    expect(parseConfig({ DATA_DIR: dir, PASSKEYS: 'false' }).relyingParty).toBeNull();
  });

  it('turns single sign-on on with OIDC_ISSUER, its redirect URI from APP_ORIGIN, and off without it', () => {
    const base = { DATA_DIR: tempDir('config'), AUTH_SECRET: SECRET, NODE_ENV: 'production' };
    expect(parseConfig(base).sso).toBeNull();
    const sso = parseConfig({
      ...base,
      APP_ORIGIN: 'https://app.example',
      OIDC_ISSUER: 'https://id.example/realms/home',
      OIDC_CLIENT_ID: 'app',
    }).sso;
    expect(sso).toMatchObject({
      issuer: 'https://id.example/realms/home',
      clientId: 'app',
      clientSecret: null,
      scopes: 'openid profile email',
      displayName: 'id.example',
      idTokenAlg: 'RS256',
      autoCreate: false,
      linkByEmail: false,
      adminGroup: null,
      only: false,
      allowHttp: false,
      redirectUri: 'https://app.example/login/sso',
      backchannelLogoutUri: 'https://app.example/api/auth/oidc/backchannel-logout',
    });
  });

  it('refuses single sign-on settings that cannot work, each with its reason', () => {
    const base = { DATA_DIR: tempDir('config'), AUTH_SECRET: SECRET, NODE_ENV: 'production' };
    const problems = problemsOf({
      ...base,
      OIDC_ISSUER: 'http://id.example.lan',
      OIDC_SCOPES: 'profile email',
      OIDC_ID_TOKEN_ALG: 'HS256',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_SCOPES must include openid/),
        expect.stringMatching(/^OIDC_ID_TOKEN_ALG must be an asymmetric/),
      ]),
    );
    // Checks across fields come once every field parsed.
    expect(problemsOf({ ...base, OIDC_ISSUER: 'http://id.example.lan' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_CLIENT_ID is required/),
        expect.stringMatching(/^APP_ORIGIN is required with OIDC_ISSUER/),
        expect.stringMatching(/^OIDC_ISSUER must be https/),
      ]),
    );
    expect(problemsOf({ ...base, OIDC_ONLY: 'true', OIDC_CLIENT_ID: 'x' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_ONLY needs OIDC_ISSUER/),
        expect.stringMatching(/^OIDC_CLIENT_ID needs/),
      ]),
    );
    // Plain http is fine on loopback, and on an internal network when said so.
    const local = { ...base, APP_ORIGIN: 'https://app.example', OIDC_CLIENT_ID: 'app' };
    expect(parseConfig({ ...local, OIDC_ISSUER: 'http://127.0.0.1:8080' }).sso?.allowHttp).toBe(true);
    expect(
      parseConfig({ ...local, OIDC_ISSUER: 'http://keycloak:8080/realms/x', OIDC_ALLOW_HTTP: 'true' }).sso?.allowHttp,
    ).toBe(true);
  });

  it('turns mail on with SMTP_URL and MAIL_FROM, its links pointing at APP_ORIGIN, and refuses half of it', () => {
    const base = { DATA_DIR: tempDir('config'), AUTH_SECRET: SECRET, NODE_ENV: 'production' };
    expect(parseConfig(base).mail).toBeNull();
    expect(
      parseConfig({
        ...base,
        APP_ORIGIN: 'https://app.example',
        SMTP_URL: 'smtps://app%40example.com:secret@mail.example.com',
        MAIL_FROM: 'App <app@example.com>',
      }),
    ).toMatchObject({
      mail: { from: 'App <app@example.com>', origin: 'https://app.example', retrySeconds: 30 },
      passwordResetSeconds: 30 * 60,
    });
    expect(
      problemsOf({
        ...base,
        APP_ORIGIN: 'https://app.example',
        SMTP_URL: 'http://mail.example.com',
        MAIL_FROM: 'a@b.c',
      }),
    ).toEqual([expect.stringMatching(/^SMTP_URL must be smtp:\/\//)]);
    expect(problemsOf({ ...base, SMTP_URL: 'smtp://mail.example.com' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MAIL_FROM is required with SMTP_URL/),
        expect.stringMatching(/^APP_ORIGIN is required with SMTP_URL/),
      ]),
    );
    expect(problemsOf({ ...base, MAIL_FROM: 'a@b.c' })).toEqual([expect.stringMatching(/^MAIL_FROM needs SMTP_URL/)]);
  });

  it('refuses a weak bootstrap admin password', () => {
    expect(problemsOf({ AUTH_SECRET: SECRET, ADMIN_PASSWORD: 'abc' })[0]).toMatch(/ADMIN_PASSWORD must be at least 8/);
  });

  it('treats blank variables as unset', () => {
    const config = parseConfig({ AUTH_SECRET: SECRET, PORT: '', DATABASE_URL: '', ADMIN_PASSWORD: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('file:./data/app.db');
    expect(config.admin.password).toBeUndefined();
  });

  it('generates a development secret once, keeps it with mode 0600, and reuses it after a restart', () => {
    const dataDir = tempDir('devsecret');
    const first = parseConfig({ DATA_DIR: dataDir });
    const second = parseConfig({ DATA_DIR: dataDir });
    expect(first.secretGenerated).toBe(true);
    expect(first.secret).toBe(second.secret);
    expect(Buffer.byteLength(first.secret)).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);
  });

  it('never generates a secret in production', () => {
    const dataDir = tempDir('prodsecret');
    expect(problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir })).toHaveLength(1);
  });
});

describe('throttling settings', () => {
  it('require the address limit to trip before the username limit', () => {
    const problems = problemsOf({
      AUTH_SECRET: SECRET,
      THROTTLE_ADDRESS_MAX_FAILURES: '20',
      THROTTLE_USERNAME_MAX_FAILURES: '20',
    });
    expect(problems).toEqual([
      'THROTTLE_ADDRESS_MAX_FAILURES must be lower than THROTTLE_USERNAME_MAX_FAILURES (got "20")',
    ]);
  });

  it('default to a window of 15 minutes, 10 failures per address and 20 per username', () => {
    const config = parseConfig({ AUTH_SECRET: SECRET });
    expect(config.throttle).toEqual({
      windowSeconds: 900,
      addressMaxFailures: 10,
      usernameMaxFailures: 20,
      lockSeconds: 30,
      maxLockSeconds: 900,
    });
    expect(config.auditRetentionDays).toBe(90);
  });
});
