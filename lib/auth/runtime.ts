/** The process-wide auth dependencies, built once from the configuration. */
import { getConfig } from '../config';
import { getDb } from '../db';
import type { AuthDeps } from './deps';
import { createTokenService, type TokenService } from './tokens';

let tokens: TokenService | undefined;
let deps: AuthDeps | undefined;

/** The token service alone: all middleware.ts needs (no database). */
export function getTokenService(): TokenService {
  const config = getConfig();
  // Keys are imported once per process, not per request.
  tokens ??= createTokenService({ secret: config.secret, previousSecret: config.previousSecret });
  return tokens;
}

export function getAuthDeps(): AuthDeps {
  const config = getConfig();
  deps ??= {
    db: getDb(),
    tokens: getTokenService(),
    policy: {
      accessTokenSeconds: config.accessTokenSeconds,
      refreshTokenSeconds: config.refreshTokenSeconds,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      reuseGraceSeconds: config.reuseGraceSeconds,
    },
    now: () => new Date(),
    // Built by lib/startup.ts just before the server serves: that is the start-up instant.
    startedAt: new Date(),
  };
  return deps;
}
