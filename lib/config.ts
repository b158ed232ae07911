/**
 * Configuration: every setting the server reads, validated once with zod.
 * A bad value stops the process with a list of every problem (ConfigError).
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL, providerOf } from './db/location';
import { passwordProblem } from './users/password-policy';
import { normalizeUsername, usernameProblem } from './users/username';

/** Values that show up in tutorials and .env templates; never acceptable as a production secret. */
const PLACEHOLDER_SECRETS = ['changeme', 'change-me', 'secret', 'password'];
const MIN_SECRET_BYTES = 32;

// Blank variables (`FOO=` in a .env file) mean "not set", as in create-t3-app.
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const stringOr = (fallback: string, schema = z.string()) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), schema);
const number = (fallback: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number({ error: 'must be a number' }).default(fallback),
  );
const flag = (fallback: boolean) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : undefined),
      z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
    )
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

/** "https://app.example" or "http://localhost:3000": a scheme and host, no path. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.toLowerCase().replace(/\/$/, '')
    );
  } catch {
    return false;
  }
}

function secretProblem(secret: string): string | null {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (generate one with: openssl rand -base64 48)`;
  }
  const lower = secret.toLowerCase();
  if (PLACEHOLDER_SECRETS.includes(lower) || lower.includes('change-in-production') || lower.includes('changeme')) {
    return 'is a placeholder value; generate a real one with: openssl rand -base64 48';
  }
  return null;
}

/** Every setting the server reads: docs/configuration.md documents each, and a test keeps it so. */
const settings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: stringOr(
    DEFAULT_DATABASE_URL,
    z
      .string()
      .refine(
        (url) => providerOf(url) !== null,
        'must be a SQLite file URL (file:./data/app.db) or a PostgreSQL URL (postgresql://user@host/db)',
      ),
  ),
  DATA_DIR: stringOr('./data'),
  AUTH_SECRET: optionalString,
  AUTH_SECRET_PREVIOUS: optionalString,
  ACCESS_TOKEN_EXPIRE_MINUTES: number(15).pipe(
    z
      .number()
      .positive()
      .max(24 * 60),
  ),
  REFRESH_TOKEN_EXPIRE_DAYS: number(7).pipe(z.number().positive().max(365)),
  SESSION_MAX_AGE_DAYS: number(30).pipe(z.number().positive().max(3650)),
  REFRESH_REUSE_GRACE_SECONDS: number(10).pipe(z.number().min(0).max(300)),
  ADMIN_USERNAME: optionalString,
  ADMIN_PASSWORD: optionalString,
  TRUST_PROXY: flag(false),
  // Other sites' pages allowed to call the public POST endpoints (lib/http/cross-site.ts).
  ALLOWED_ORIGINS: z
    .preprocess((v) => (typeof v === 'string' ? v : ''), z.string())
    .transform((v) =>
      v
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .pipe(
      z.array(z.string().refine(isOrigin, 'must be a comma-separated list of origins such as https://app.example')),
    ),
  PORT: number(3000).pipe(z.number().int().min(1).max(65535)),
  COOKIE_SECURE: z
    .preprocess(
      (v) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : 'auto'),
      z.enum(['auto', 'true', 'false']),
    )
    .default('auto'),
  CLIENT_REFRESH_LEAD_SECONDS: number(300).pipe(z.number().positive().max(86_400)),
  CLIENT_REQUEST_TIMEOUT_SECONDS: number(10).pipe(z.number().positive().max(120)),
  CLIENT_SESSION_CHECK_SECONDS: number(60).pipe(z.number().min(0).max(86_400)),
  ENABLE_BENCH_ROUTES: flag(false),
  // DPoP (RFC 9449): refuse sign-ins without a browser-key proof; demand server nonces on refresh.
  DPOP_REQUIRED: flag(false),
  DPOP_NONCES: flag(true),
  DPOP_ACCESS_TOKENS: flag(false),
  // Sign-in throttling (lib/auth/sign-in-throttle.ts) and the refresh endpoint's per-address limit.
  THROTTLE_WINDOW_MINUTES: number(15).pipe(
    z
      .number()
      .positive()
      .max(24 * 60),
  ),
  THROTTLE_ADDRESS_MAX_FAILURES: number(10).pipe(z.number().int().min(1).max(10_000)),
  THROTTLE_USERNAME_MAX_FAILURES: number(20).pipe(z.number().int().min(1).max(10_000)),
  THROTTLE_LOCK_SECONDS: number(30).pipe(z.number().positive().max(86_400)),
  THROTTLE_MAX_LOCK_MINUTES: number(15).pipe(
    z
      .number()
      .positive()
      .max(24 * 60),
  ),
  REFRESH_RATE_LIMIT_PER_MINUTE: number(600).pipe(z.number().int().min(1).max(1_000_000)),
  AUDIT_RETENTION_DAYS: number(90).pipe(z.number().positive().max(3650)),
  // Ended sessions (revoked, past their end, or lapsed unused) are deleted after this.
  SESSION_RETENTION_DAYS: number(30).pipe(z.number().positive().max(3650)),
  // Sensitive actions (password, second factors, sign out elsewhere, admin) need a sign-in or
  // re-authentication at most this old.
  REAUTH_MAX_AGE_MINUTES: number(10).pipe(
    z
      .number()
      .positive()
      .max(24 * 60),
  ),
  // Administrators without a second factor are sent to set one up before any admin action works.
  MFA_REQUIRED_FOR_ADMINS: flag(false),
  // Where browsers reach this app, e.g. https://auth.example.com: passkeys are bound to its host
  // (the relying-party ID) and checked against it (the origin).
  APP_ORIGIN: optionalString.pipe(
    z.string().refine(isOrigin, 'must be an origin such as https://app.example').optional(),
  ),
  // Passkeys: auto = on where APP_ORIGIN is set, and in development (http://localhost:PORT).
  PASSKEYS: z
    .preprocess(
      (v) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : 'auto'),
      z.enum(['auto', 'true', 'false']),
    )
    .default('auto'),
  // The name authenticator apps show for this server's accounts.
  TOTP_ISSUER: stringOr('staysignedin', z.string().min(1).max(64)),
  // Single sign-on through an OpenID Provider (lib/auth/sso, docs/single-sign-on.md): off while
  // OIDC_ISSUER is unset. The redirect URI is APP_ORIGIN + /login/sso.
  OIDC_ISSUER: optionalString.pipe(z.url({ error: "must be the provider's issuer URL" }).optional()),
  OIDC_CLIENT_ID: optionalString,
  // Empty: a public client (PKCE only, no client authentication).
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_SCOPES: stringOr('openid profile email').pipe(
    z.string().refine((v) => v.split(/\s+/).includes('openid'), 'must include openid'),
  ),
  OIDC_DISPLAY_NAME: optionalString.pipe(z.string().max(64).optional()),
  // The ID token's one allowed signing algorithm (the provider's default is almost always RS256).
  OIDC_ID_TOKEN_ALG: stringOr('RS256').pipe(
    z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'], {
      error: 'must be an asymmetric JWS algorithm such as RS256 or ES256',
    }),
  ),
  OIDC_AUTO_CREATE: flag(false),
  OIDC_LINK_BY_EMAIL: flag(false),
  OIDC_ADMIN_GROUP: optionalString,
  OIDC_GROUPS_CLAIM: stringOr('groups', z.string().min(1).max(64)),
  OIDC_ONLY: flag(false),
  // Plain http to the provider (loopback addresses are always allowed): an internal network only.
  OIDC_ALLOW_HTTP: flag(false),
  // Mail (lib/mail): password reset, address verification, new-device alerts. Off while unset.
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .refine(
        (v) => /^smtps?:\/\/[^/]/i.test(v) && URL.canParse(v),
        'must be smtp://[user:password@]host[:port] or smtps://...',
      )
      .optional(),
  ),
  MAIL_FROM: optionalString.pipe(z.string().max(256).optional()),
  PASSWORD_RESET_MINUTES: number(30).pipe(
    z
      .number()
      .positive()
      .max(24 * 60),
  ),
  // The first retry after a failed send; each next one waits twice as long, up to an hour.
  MAIL_RETRY_SECONDS: number(30).pipe(z.number().positive().max(3600)),
  // GET /api/metrics answers only with `Authorization: Bearer $METRICS_TOKEN`; off when unset.
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
});

/**
 * Where passkeys are bound (WebAuthn's relying party): APP_ORIGIN's host and origin; in
 * development http://localhost:PORT. Null when passkeys are off.
 */
function relyingPartyOf(env: {
  NODE_ENV: string;
  APP_ORIGIN?: string | undefined;
  PASSKEYS: 'auto' | 'true' | 'false';
  PORT: number;
  TOTP_ISSUER: string;
}): { id: string; origin: string; name: string } | null {
  if (env.PASSKEYS === 'false') return null;
  const origin = env.APP_ORIGIN ?? (env.NODE_ENV === 'production' ? null : `http://localhost:${env.PORT}`);
  if (origin === null) return null;
  const url = new URL(origin);
  return { id: url.hostname, origin: url.origin, name: env.TOTP_ISSUER };
}

/** localhost, 127.0.0.0/8 or ::1: a connection that never leaves this machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Single sign-on through an OpenID Provider, or null when OIDC_ISSUER is not set. */
function singleSignOnOf(env: {
  NODE_ENV: string;
  APP_ORIGIN?: string | undefined;
  PORT: number;
  OIDC_ISSUER?: string | undefined;
  OIDC_CLIENT_ID?: string | undefined;
  OIDC_CLIENT_SECRET?: string | undefined;
  OIDC_SCOPES: string;
  OIDC_DISPLAY_NAME?: string | undefined;
  OIDC_ID_TOKEN_ALG: string;
  OIDC_AUTO_CREATE: boolean;
  OIDC_LINK_BY_EMAIL: boolean;
  OIDC_ADMIN_GROUP?: string | undefined;
  OIDC_GROUPS_CLAIM: string;
  OIDC_ONLY: boolean;
  OIDC_ALLOW_HTTP: boolean;
}) {
  if (env.OIDC_ISSUER === undefined || env.OIDC_CLIENT_ID === undefined) return null;
  const origin = env.APP_ORIGIN ?? `http://localhost:${env.PORT}`;
  const issuer = new URL(env.OIDC_ISSUER);
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET ?? null,
    scopes: env.OIDC_SCOPES.split(/\s+/).filter(Boolean).join(' '),
    displayName: env.OIDC_DISPLAY_NAME ?? issuer.hostname,
    idTokenAlg: env.OIDC_ID_TOKEN_ALG,
    autoCreate: env.OIDC_AUTO_CREATE,
    linkByEmail: env.OIDC_LINK_BY_EMAIL,
    adminGroup: env.OIDC_ADMIN_GROUP ?? null,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    only: env.OIDC_ONLY,
    allowHttp: env.OIDC_ALLOW_HTTP || isLoopback(issuer.hostname),
    /** Where the provider sends the browser back: a page that hands the answer to the API. */
    redirectUri: `${origin}/login/sso`,
    postLogoutRedirectUri: `${origin}/login`,
    backchannelLogoutUri: `${origin}/api/auth/oidc/backchannel-logout`,
  };
}

/** The names of every setting, as environment variables. */
export const SETTINGS = Object.keys(settings.shape) as (keyof typeof settings.shape)[];

const envSchema = settings
  .superRefine((env, ctx) => {
    // Passkeys are bound to one host: production has to be told which (a proxy may rewrite Host).
    if (env.PASSKEYS === 'true' && env.APP_ORIGIN === undefined && env.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_ORIGIN'],
        message: 'is required for PASSKEYS=true in production (the origin browsers use, e.g. https://auth.example.com)',
      });
    }
    if (env.OIDC_ISSUER !== undefined) {
      if (env.OIDC_CLIENT_ID === undefined) {
        ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_ID'], message: 'is required with OIDC_ISSUER' });
      }
      if (env.APP_ORIGIN === undefined && env.NODE_ENV === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['APP_ORIGIN'],
          message: 'is required with OIDC_ISSUER in production (the redirect URI is APP_ORIGIN/login/sso)',
        });
      }
      const issuer = new URL(env.OIDC_ISSUER);
      // Tokens and client secrets cross this connection: TLS unless it never leaves the machine.
      if (issuer.protocol !== 'https:' && !isLoopback(issuer.hostname) && !env.OIDC_ALLOW_HTTP) {
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_ISSUER'],
          message: 'must be https (or set OIDC_ALLOW_HTTP=true for a provider on your own internal network)',
        });
      }
    } else {
      for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
        if (env[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'needs OIDC_ISSUER' });
      }
      if (env.OIDC_ONLY) ctx.addIssue({ code: 'custom', path: ['OIDC_ONLY'], message: 'needs OIDC_ISSUER' });
    }
    if (env.SMTP_URL !== undefined) {
      if (env.MAIL_FROM === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['MAIL_FROM'],
          message: 'is required with SMTP_URL (e.g. "App <app@example.com>")',
        });
      }
      if (env.APP_ORIGIN === undefined && env.NODE_ENV === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['APP_ORIGIN'],
          message: 'is required with SMTP_URL in production (the links in the mail point there)',
        });
      }
    } else if (env.MAIL_FROM !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'needs SMTP_URL' });
    }
    // Checks across fields; zod runs them only when every field parsed (see secretProblems).
    if (env.REFRESH_TOKEN_EXPIRE_DAYS > env.SESSION_MAX_AGE_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['REFRESH_TOKEN_EXPIRE_DAYS'],
        message: 'must not exceed SESSION_MAX_AGE_DAYS',
      });
    }
    if (env.ACCESS_TOKEN_EXPIRE_MINUTES > env.REFRESH_TOKEN_EXPIRE_DAYS * 24 * 60) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACCESS_TOKEN_EXPIRE_MINUTES'],
        message: 'must not exceed the refresh token lifetime',
      });
    }
    // One address must trip its limit before it can lock a username out for everyone.
    if (env.THROTTLE_ADDRESS_MAX_FAILURES >= env.THROTTLE_USERNAME_MAX_FAILURES) {
      ctx.addIssue({
        code: 'custom',
        path: ['THROTTLE_ADDRESS_MAX_FAILURES'],
        message: 'must be lower than THROTTLE_USERNAME_MAX_FAILURES',
      });
    }
  })
  // The shape the app reads; `Config` is inferred from it, so each setting is named once.
  .transform((env) => {
    const minutes = 60;
    const days = 24 * 60 * 60;
    return {
      env: env.NODE_ENV,
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      /** The configured signing secret; parseConfig fills in the development one. */
      secret: env.AUTH_SECRET,
      /** The previous secret, still verifying during a key rotation. */
      previousSecret: env.AUTH_SECRET_PREVIOUS,
      accessTokenSeconds: env.ACCESS_TOKEN_EXPIRE_MINUTES * minutes,
      refreshTokenSeconds: env.REFRESH_TOKEN_EXPIRE_DAYS * days,
      sessionMaxAgeSeconds: env.SESSION_MAX_AGE_DAYS * days,
      reuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      admin: { username: env.ADMIN_USERNAME ?? 'admin', password: env.ADMIN_PASSWORD },
      trustProxy: env.TRUST_PROXY,
      /** Lower-case origins, e.g. "https://admin.example". */
      allowedOrigins: env.ALLOWED_ORIGINS.map((origin) => new URL(origin).origin),
      port: env.PORT,
      cookieSecure: env.COOKIE_SECURE === 'auto' ? ('auto' as const) : env.COOKIE_SECURE === 'true',
      client: {
        refreshLeadSeconds: env.CLIENT_REFRESH_LEAD_SECONDS,
        requestTimeoutSeconds: env.CLIENT_REQUEST_TIMEOUT_SECONDS,
        sessionCheckSeconds: env.CLIENT_SESSION_CHECK_SECONDS,
      },
      benchRoutes: env.ENABLE_BENCH_ROUTES,
      dpopRequired: env.DPOP_REQUIRED,
      dpopNonces: env.DPOP_NONCES,
      dpopAccessTokens: env.DPOP_ACCESS_TOKENS,
      throttle: {
        windowSeconds: env.THROTTLE_WINDOW_MINUTES * minutes,
        addressMaxFailures: env.THROTTLE_ADDRESS_MAX_FAILURES,
        usernameMaxFailures: env.THROTTLE_USERNAME_MAX_FAILURES,
        lockSeconds: env.THROTTLE_LOCK_SECONDS,
        maxLockSeconds: env.THROTTLE_MAX_LOCK_MINUTES * minutes,
      },
      refreshRateLimitPerMinute: env.REFRESH_RATE_LIMIT_PER_MINUTE,
      auditRetentionDays: env.AUDIT_RETENTION_DAYS,
      sessionRetentionDays: env.SESSION_RETENTION_DAYS,
      metricsToken: env.METRICS_TOKEN,
      reauthMaxAgeSeconds: env.REAUTH_MAX_AGE_MINUTES * minutes,
      mfaRequiredForAdmins: env.MFA_REQUIRED_FOR_ADMINS,
      totpIssuer: env.TOTP_ISSUER,
      relyingParty: relyingPartyOf(env),
      sso: singleSignOnOf(env),
      mail:
        env.SMTP_URL !== undefined && env.MAIL_FROM !== undefined
          ? {
              url: env.SMTP_URL,
              from: env.MAIL_FROM,
              /** Where the links in the mail point. */
              origin: env.APP_ORIGIN ?? `http://localhost:${env.PORT}`,
              retrySeconds: env.MAIL_RETRY_SECONDS,
            }
          : null,
      passwordResetSeconds: env.PASSWORD_RESET_MINUTES * minutes,
    };
  });

export type Config = Omit<z.output<typeof envSchema>, 'secret'> & {
  secret: string;
  /** Whether the secret was generated for development rather than configured. */
  secretGenerated: boolean;
};

/** Secret and password checks, run on the raw environment so they are reported alongside any other problem. */
function secretProblems(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const secret = source.AUTH_SECRET || undefined;
  const previous = source.AUTH_SECRET_PREVIOUS || undefined;
  const adminPassword = source.ADMIN_PASSWORD || undefined;
  const adminUsername = source.ADMIN_USERNAME || undefined;
  if (adminUsername !== undefined) {
    const problem = usernameProblem(normalizeUsername(adminUsername));
    if (problem) problems.push(`ADMIN_USERNAME ${problem}`);
  }
  if (secret !== undefined) {
    const problem = secretProblem(secret);
    if (problem) problems.push(`AUTH_SECRET ${problem}`);
  } else if (source.NODE_ENV === 'production') {
    problems.push(
      `AUTH_SECRET is required in production (at least ${MIN_SECRET_BYTES} bytes; generate one with: openssl rand -base64 48)`,
    );
  }
  if (previous !== undefined) {
    const problem = secretProblem(previous);
    if (problem) problems.push(`AUTH_SECRET_PREVIOUS ${problem}`);
  }
  if (adminPassword !== undefined) {
    const problem = passwordProblem(adminPassword);
    if (problem) problems.push(`ADMIN_PASSWORD ${problem}`);
  }
  return problems;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Development only: a random secret generated once and kept in the data directory
 * (mode 0600), so a restart does not sign everybody out.
 */
function developmentSecret(dataDir: string): string {
  const file = path.resolve(/*turbopackIgnore: true*/ dataDir, 'auth-secret');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails if the file exists, so two processes starting at once keep one secret.
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Keep the file private even if it was copied around with looser permissions.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError([
      `${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes; delete it to generate a new one`,
    ]);
  }
  return secret;
}

/** Parses an environment; throws ConfigError listing every problem. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(source);
  const problems = [
    ...secretProblems(source),
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(source, issue.path, issue.message))),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data;
  return {
    ...config,
    secret: config.secret ?? developmentSecret(config.dataDir),
    secretGenerated: config.secret === undefined,
  };
}

/** `PORT expected number to be <=65535 (got "99999")`: names the variable and shows what it held. */
function describeIssue(source: Record<string, string | undefined>, issuePath: PropertyKey[], message: string): string {
  const name = issuePath.map(String).join('.') || '(environment)';
  const value = source[name];
  const text = message.replace(/^(Invalid input|Invalid option|Too big|Too small): /, '');
  return value === undefined || value === '' ? `${name} ${text}` : `${name} ${text} (got ${JSON.stringify(value)})`;
}
