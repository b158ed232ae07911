/**
 * The composition root: configuration → database → services, wired once per process into one
 * App object that route handlers, the middleware and start-up are handed (lib/server/routes.ts,
 * middleware.ts, start.ts). Nothing below this room reaches for a global: each piece receives
 * what it needs from here. Tests build their own App on a throwaway database.
 */
import 'server-only';
import { AccessProofLedger } from '../auth/access-proofs';
import type { AuthDeps } from '../auth/deps';
import { createNonceService } from '../auth/dpop-nonce';
import { RateLimiter } from '../auth/refresh-rate-limit';
import { RevocationFeed } from '../auth/revocation-feed';
import { createTokenService } from '../auth/tokens';
import type { Config } from '../config';
import { openDatabase, type Database } from '../db';
import { log } from '../log';
import { authEvents, createMetrics, type Metrics } from '../metrics/metrics';
import { createPasswords, type Passwords } from '../users/passwords';
import { createChallenges } from '../auth/passkeys/challenges';
import { createSecretBox } from '../auth/second-factor/secret-box';
import { createMailService, type MailService } from '../mail/service';
import { createOpenIdProvider, type OpenIdProvider } from '../auth/sso/provider';

export type App = {
  config: Config;
  database: Database;
  /** What the auth domain (lib/auth) is handed. */
  auth: AuthDeps;
  /** This instance's view of ended sessions, fed from the database's revocation log. */
  revocations: RevocationFeed;
  /** DPoP proofs of API calls seen by this instance (DPOP_ACCESS_TOKENS). */
  accessProofs: AccessProofLedger;
  /** The refresh endpoint's per-address limit (in this instance's memory). */
  refreshLimiter: RateLimiter;
  passwords: Passwords;
  metrics: Metrics;
  /** Single sign-on's OpenID Provider (OIDC_ISSUER); null when it is off. */
  sso: OpenIdProvider | null;
  /** Mail (SMTP_URL): the outbox's delivery on this instance; null when it is off. */
  mail: MailService | null;
};

export type AppOptions = {
  /** When this process started serving (rule 6); start-up sets it. */
  startedAt: Date;
  now?: () => Date;
  /** An already open database (tests); otherwise the one DATABASE_URL names. */
  database?: Database;
};

export function createApp(config: Config, options: AppOptions): App {
  const now = options.now ?? (() => new Date());
  const database = options.database ?? openDatabase(config.databaseUrl);
  const metrics = createMetrics();
  const passwords = createPasswords();
  const secrets = createSecretBox({ secret: config.secret, previousSecret: config.previousSecret });
  const mail = config.mail
    ? createMailService(config.mail, {
        store: database.store,
        seal: (bytes) => secrets.seal(bytes),
        open: (sealed) => secrets.open(sealed),
        counted: (outcome) => metrics.mail.labels({ outcome }).inc(),
        now,
      })
    : null;
  const revocations = new RevocationFeed(database.store, {
    accessTokenSeconds: config.accessTokenSeconds,
    now,
    onError: (error) => log.warn('could not read the revocation log; retrying', { error: String(error) }),
  });
  const auth: AuthDeps = {
    store: database.store,
    // Keys are imported once per process, not per request.
    tokens: createTokenService({ secret: config.secret, previousSecret: config.previousSecret }),
    passwords,
    policy: {
      accessTokenSeconds: config.accessTokenSeconds,
      refreshTokenSeconds: config.refreshTokenSeconds,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      reuseGraceSeconds: config.reuseGraceSeconds,
      dpopRequired: config.dpopRequired,
      dpopNonces: config.dpopNonces,
      dpopAccessTokens: config.dpopAccessTokens,
      reauthMaxAgeSeconds: config.reauthMaxAgeSeconds,
      mfaRequiredForAdmins: config.mfaRequiredForAdmins,
      totpIssuer: config.totpIssuer,
      relyingParty: config.relyingParty,
      passwordResetSeconds: config.passwordResetSeconds,
      sso: config.sso
        ? { issuer: config.sso.issuer, displayName: config.sso.displayName, only: config.sso.only }
        : null,
    },
    throttle: config.throttle,
    revocations,
    nonces: createNonceService(config.secret),
    secrets,
    challenges: createChallenges(config.secret, database.store),
    events: authEvents(metrics),
    mail: mail ? { queue: mail.queue, origin: mail.origin } : null,
    now,
    startedAt: options.startedAt,
  };
  return {
    config,
    database,
    auth,
    revocations,
    accessProofs: new AccessProofLedger(),
    refreshLimiter: new RateLimiter(config.refreshRateLimitPerMinute),
    passwords,
    metrics,
    mail,
    sso: config.sso
      ? createOpenIdProvider(config.sso, (problem) =>
          log.error('single sign-on is unavailable: the OpenID Provider could not be used', {
            issuer: config.sso?.issuer,
            problem,
          }),
        )
      : null,
  };
}
