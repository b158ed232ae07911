/**
 * The wiring: configuration → store → services, in one place. Everything here is built once per
 * process. Next.js bundles each route, the middleware and instrumentation.ts separately, so a
 * module-level variable would exist once per bundle: the objects that must be one per process (the
 * database connection, the revocation feed) are kept on globalThis under registered symbols.
 */
import { createTokenService, type TokenService } from './auth/tokens';
import type { AuthDeps } from './auth/deps';
import { AccessProofLedger } from './auth/access-proofs';
import { createNonceService } from './auth/dpop-nonce';
import { RateLimiter } from './auth/rate-limit';
import { RevocationFeed } from './auth/revocation-feed';
import { getConfig } from './config';
import { openDatabase, type Database, type Store } from './db';
import { log } from './log';

export { getConfig };

const holder = globalThis as unknown as Record<symbol, unknown>;

function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`staysignedin.${name}`);
  holder[key] ??= create();
  return holder[key] as T;
}

export function getDatabase(): Database {
  return processWide('database', () => openDatabase(getConfig().databaseUrl));
}

export function getStore(): Store {
  return getDatabase().store;
}

/** The token service alone: all the middleware needs besides the revocation feed. */
export function getTokenService(): TokenService {
  return processWide('tokens', () => {
    const config = getConfig();
    // Keys are imported once per process, not per request.
    return createTokenService({ secret: config.secret, previousSecret: config.previousSecret });
  });
}

export function getRevocationFeed(): RevocationFeed {
  return processWide(
    'revocations',
    () =>
      new RevocationFeed(getStore(), {
        accessTokenSeconds: getConfig().accessTokenSeconds,
        onError: (error) => log.warn('could not read the revocation log; retrying', { error: String(error) }),
      }),
  );
}

/** DPoP proofs of API calls seen by this instance (DPOP_ACCESS_TOKENS). */
export function getAccessProofs(): AccessProofLedger {
  return processWide('accessProofs', () => new AccessProofLedger());
}

/** The refresh endpoint's per-address limit (in this instance's memory). */
export function getRefreshLimiter(): RateLimiter {
  return processWide('refreshLimiter', () => new RateLimiter(getConfig().refreshRateLimitPerMinute));
}

export function getAuthDeps(): AuthDeps {
  return processWide('authDeps', () => {
    const config = getConfig();
    return {
      store: getStore(),
      tokens: getTokenService(),
      revocations: getRevocationFeed(),
      throttle: config.throttle,
      policy: {
        accessTokenSeconds: config.accessTokenSeconds,
        refreshTokenSeconds: config.refreshTokenSeconds,
        sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
        reuseGraceSeconds: config.reuseGraceSeconds,
        dpopRequired: config.dpopRequired,
        dpopNonces: config.dpopNonces,
        dpopAccessTokens: config.dpopAccessTokens,
      },
      nonces: createNonceService(config.secret),
      now: () => new Date(),
      // Built by lib/startup.ts just before the server serves: that is the start-up instant.
      startedAt: new Date(),
    };
  });
}
