/** AuthDeps on a real test database with a hand-moved clock, for testing lib/auth directly. */
import { IGNORED_EVENTS, type AuthDeps, type AuthPolicy } from '@/lib/auth/deps';
import { createNonceService } from '@/lib/auth/dpop-nonce';
import { RevocationFeed } from '@/lib/auth/revocation-feed';
import { createChallenges } from '@/lib/auth/passkeys/challenges';
import { createSecretBox } from '@/lib/auth/second-factor/secret-box';
import { createTokenService } from '@/lib/auth/tokens';
import type { Store } from '@/lib/db';
import { createPasswords } from '@/lib/users/passwords';
import { manualClock } from './clock';

export const TEST_SECRET = 'test-secret-'.padEnd(48, 'x');

/** One hasher for every test of a file, as the server has one. */
const passwords = createPasswords();

export function testAuth(store: Store, policy: Partial<AuthPolicy> = {}) {
  const clock = manualClock();
  const deps: AuthDeps = {
    store,
    revocations: new RevocationFeed(store, { accessTokenSeconds: policy.accessTokenSeconds ?? 900, now: clock.now }),
    tokens: createTokenService({ secret: TEST_SECRET }),
    passwords,
    policy: {
      accessTokenSeconds: 900,
      refreshTokenSeconds: 7 * 86_400,
      sessionMaxAgeSeconds: 30 * 86_400,
      reuseGraceSeconds: 10,
      dpopRequired: false,
      dpopNonces: true,
      dpopAccessTokens: false,
      reauthMaxAgeSeconds: 600,
      mfaRequiredForAdmins: false,
      totpIssuer: 'staysignedin test',
      relyingParty: null,
      sso: null,
      passwordResetSeconds: 1800,
      ...policy,
    },
    throttle: {
      windowSeconds: 900,
      addressMaxFailures: 10,
      usernameMaxFailures: 20,
      lockSeconds: 30,
      maxLockSeconds: 900,
    },
    nonces: createNonceService(TEST_SECRET),
    secrets: createSecretBox({ secret: TEST_SECRET }),
    challenges: createChallenges(TEST_SECRET, store),
    events: IGNORED_EVENTS,
    mail: null,
    now: clock.now,
    startedAt: new Date(0),
  };
  return { deps, clock };
}
