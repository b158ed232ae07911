// The second factor end to end in lib/auth, on a real database with a hand-moved clock: set-up,
// the two-step sign-in, single use of codes, recovery codes, and re-authentication.
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { appErrorOf } from '@/tests/helpers/errors';
import type { Database, UserRecord } from '../../db';
import { createUser } from '../../users/users';
import { assertRecentAuthentication, reauthenticate } from '../reauthenticate';
import { rotateRefreshToken } from '../rotation';
import { signIn } from '../sign-in';
import { beginTotp, confirmTotp, regenerateRecoveryCodes, removeTotp } from './factors';
import { completeSignIn, MAX_CODE_FAILURES, PENDING_SIGN_IN_SECONDS } from './pending';
import { createSecretBox } from './secret-box';
import { stepAt, totpCode } from './totp';

let db: Database['client'];
let store: Database['store'];
const client = { userAgent: 'test', ip: '192.0.2.7' };
const context = { client, sessionId: null };

beforeAll(async () => {
  ({ db, store } = await createTestDb('two-step'));
});

let counter = 0;
/** A user with a confirmed authenticator app: its key, its recovery codes, and a clock. */
async function enrolled(options: Parameters<typeof testAuth>[1] = {}) {
  const { deps, clock } = testAuth(store, options);
  const credentials = { username: `tess${++counter}`, password: 'a long enough password' };
  const created = await createUser(deps, credentials, clock.now());
  const user = (await store.findUserById(created.id)) as UserRecord;
  const setup = await beginTotp(deps, user);
  const key = decodeBase32IgnorePadding(setup.key.replace(/ /g, ''));
  const code = () => totpCode(key, stepAt(clock.now()));
  const recoveryCodes = await confirmTotp(deps, user, code(), context);
  // The set-up took this step's code: sign-ins start in the next step.
  clock.advance(30);
  return { deps, clock, user, credentials, key, code, recoveryCodes };
}

/** The password step; the mfa_token it answers with. */
async function passwordStep(
  deps: ReturnType<typeof testAuth>['deps'],
  credentials: { username: string; password: string },
) {
  const error = await appErrorOf(signIn(deps, credentials, client));
  expect(error.code).toBe('mfa_required');
  return error.extensions?.mfa_token as string;
}

describe('a user with an authenticator app', () => {
  it('gets no session for the password alone, only an mfa_token that is no JWT', async () => {
    const { deps, credentials, user } = await enrolled();
    const before = await db.session.count({ where: { userId: user.id } });
    const error = await appErrorOf(signIn(deps, credentials, client));
    expect([error.code, error.status]).toEqual(['mfa_required', 403]);
    expect(error.extensions).toMatchObject({ expires_in: PENDING_SIGN_IN_SECONDS, factors: ['totp', 'recovery_code'] });
    const mfaToken = error.extensions?.mfa_token as string;
    expect(mfaToken).toMatch(/^mfa_[A-Za-z0-9_-]{43}$/);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(before);
    // Good for nothing else: neither an access token nor a refresh token.
    expect(() => deps.tokens.verifyAccessNow(mfaToken, deps.now())).toThrow();
    expect((await appErrorOf(rotateRefreshToken(deps, mfaToken, client))).code).toBe('invalid_token');
  });

  it('signs in with the code, in a session dated from the password check that says pwd otp mfa', async () => {
    const { deps, clock, credentials, code } = await enrolled();
    const startedAt = clock.now();
    const mfaToken = await passwordStep(deps, credentials);
    clock.advance(20);
    const { sessionId, pair } = await completeSignIn(deps, { mfaToken, code: code() }, client, null);
    const session = await store.findSession(sessionId);
    expect(session?.createdAt).toEqual(startedAt);
    expect(session?.amr).toBe('pwd otp mfa');
    expect(deps.tokens.verifyAccessNow(pair.accessToken, clock.now())).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      authTime: Math.floor(startedAt.getTime() / 1000),
    });
  });

  it('accepts each code once: the same code for a second sign-in is refused, the next one works', async () => {
    const { deps, clock, credentials, code } = await enrolled();
    const used = code();
    await completeSignIn(deps, { mfaToken: await passwordStep(deps, credentials), code: used }, client, null);
    const second = await passwordStep(deps, credentials);
    expect((await appErrorOf(completeSignIn(deps, { mfaToken: second, code: used }, client, null))).code).toBe(
      'invalid_code',
    );
    clock.advance(30);
    await expect(completeSignIn(deps, { mfaToken: second, code: code() }, client, null)).resolves.toBeTruthy();
  });

  it('takes an mfa_token once: completing it again fails, even with a fresh code', async () => {
    const { deps, clock, credentials, code } = await enrolled();
    const mfaToken = await passwordStep(deps, credentials);
    await completeSignIn(deps, { mfaToken, code: code() }, client, null);
    clock.advance(30);
    expect((await appErrorOf(completeSignIn(deps, { mfaToken, code: code() }, client, null))).code).toBe(
      'mfa_token_invalid',
    );
  });

  it('lets the mfa_token expire after its minutes', async () => {
    const { deps, clock, credentials, code } = await enrolled();
    const mfaToken = await passwordStep(deps, credentials);
    clock.advance(PENDING_SIGN_IN_SECONDS + 1);
    expect((await appErrorOf(completeSignIn(deps, { mfaToken, code: code() }, client, null))).code).toBe(
      'mfa_token_invalid',
    );
  });

  it(`ends the pending sign-in after ${MAX_CODE_FAILURES} wrong codes, so guessing needs the password again`, async () => {
    const { deps, credentials, code } = await enrolled();
    const mfaToken = await passwordStep(deps, credentials);
    const right = code();
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (let left = MAX_CODE_FAILURES - 1; left >= 0; left--) {
      const error = await appErrorOf(completeSignIn(deps, { mfaToken, code: wrong }, client, null));
      expect([error.code, error.extensions?.attempts_left]).toEqual(['invalid_code', left]);
    }
    expect((await appErrorOf(completeSignIn(deps, { mfaToken, code: right }, client, null))).code).toBe(
      'mfa_token_invalid',
    );
  });

  it('signs in with a recovery code once; the same code is refused the next time', async () => {
    const { deps, credentials, recoveryCodes, user } = await enrolled();
    const [recovery = ''] = recoveryCodes;
    const { sessionId } = await completeSignIn(
      deps,
      { mfaToken: await passwordStep(deps, credentials), code: recovery.toLowerCase() },
      client,
      null,
    );
    expect((await store.findSession(sessionId))?.amr).toBe('pwd otp mfa');
    expect(await store.countUnusedRecoveryCodes(user.id)).toBe(9);
    const again = await passwordStep(deps, credentials);
    expect((await appErrorOf(completeSignIn(deps, { mfaToken: again, code: recovery }, client, null))).code).toBe(
      'invalid_code',
    );
  });

  it('makes the old recovery codes stop working when new ones are made', async () => {
    const { deps, credentials, recoveryCodes, user } = await enrolled();
    const fresh = await regenerateRecoveryCodes(deps, user, context);
    expect(fresh).not.toContain(recoveryCodes[0]);
    const mfaToken = await passwordStep(deps, credentials);
    expect(
      (await appErrorOf(completeSignIn(deps, { mfaToken, code: recoveryCodes[0] ?? '' }, client, null))).code,
    ).toBe('invalid_code');
    await expect(completeSignIn(deps, { mfaToken, code: fresh[0] ?? '' }, client, null)).resolves.toBeTruthy();
  });

  it('signs in with the password alone again once the app is removed', async () => {
    const { deps, credentials, user } = await enrolled();
    await removeTotp(deps, user, context);
    await expect(signIn(deps, credentials, client)).resolves.toMatchObject({ userId: user.id });
  });

  it('keeps the TOTP secret sealed in the database', async () => {
    const { user, key } = await enrolled();
    const row = await db.totpFactor.findUnique({ where: { userId: user.id } });
    expect(row?.secret).toMatch(/^v1\./);
    expect(row?.secret).not.toContain(Buffer.from(key).toString('base64url'));
  });
});

describe('setting up an authenticator app', () => {
  it('is confirmed only by a code of the key being set up, and refuses a second set-up while one is on', async () => {
    const { deps, clock } = testAuth(store);
    const created = await createUser(
      deps,
      { username: `uma${++counter}`, password: 'a long enough password' },
      clock.now(),
    );
    const user = (await store.findUserById(created.id)) as UserRecord;
    const first = await beginTotp(deps, user);
    // Started again (a new QR code): only the newest key counts.
    const second = await beginTotp(deps, user);
    const oldKey = decodeBase32IgnorePadding(first.key.replace(/ /g, ''));
    const newKey = decodeBase32IgnorePadding(second.key.replace(/ /g, ''));
    const step = stepAt(clock.now());
    expect((await appErrorOf(confirmTotp(deps, user, totpCode(oldKey, step), context))).code).toBe('invalid_code');
    expect(await db.totpFactor.findUnique({ where: { userId: user.id } })).toMatchObject({ confirmedAt: null });
    await expect(confirmTotp(deps, user, totpCode(newKey, step), context)).resolves.toHaveLength(10);
    expect((await appErrorOf(beginTotp(deps, user))).code).toBe('conflict');
  });
});

describe('re-authentication', () => {
  it('is needed once the sign-in is older than the limit; a refresh does not renew it, the password does', async () => {
    const { deps, clock } = testAuth(store, { reauthMaxAgeSeconds: 600 });
    const credentials = { username: `rita${++counter}`, password: 'a long enough password' };
    await createUser(deps, credentials, clock.now());
    const signedInAt = clock.seconds();
    const { sessionId, pair } = await signIn(deps, credentials, client);
    const load = async () => (await store.findSession(sessionId))!;
    const action = { client, action: 'POST /api/auth/password' };
    await expect(assertRecentAuthentication(deps, await load(), action)).resolves.toBeUndefined();

    clock.advance(20 * 60);
    const refreshed = await rotateRefreshToken(deps, pair.refreshToken, client);
    // The refreshed access token still says when the user signed in.
    expect(deps.tokens.verifyAccessNow(refreshed.accessToken, clock.now()).authTime).toBe(signedInAt);
    const stale = await appErrorOf(assertRecentAuthentication(deps, await load(), action));
    expect([stale.code, stale.status, stale.extensions?.max_age]).toEqual(['reauthentication_required', 401, 600]);

    const session = await load();
    const wrong = await appErrorOf(reauthenticate(deps, { user: session.user, session, client }, { password: 'nope' }));
    expect(wrong.code).toBe('invalid_credentials');
    await reauthenticate(deps, { user: session.user, session, client }, credentials);
    await expect(assertRecentAuthentication(deps, await load(), action)).resolves.toBeUndefined();
    // No new session: the same one, re-authenticated.
    expect((await load()).id).toBe(sessionId);
    const next = await rotateRefreshToken(deps, refreshed.refreshToken, client);
    expect(deps.tokens.verifyAccessNow(next.accessToken, clock.now()).authTime).toBe(clock.seconds());
  });

  it('takes a code from the app, once', async () => {
    const { deps, clock, credentials, code } = await enrolled({ reauthMaxAgeSeconds: 600 });
    const { sessionId } = await completeSignIn(
      deps,
      { mfaToken: await passwordStep(deps, credentials), code: code() },
      client,
      null,
    );
    clock.advance(30 * 60);
    const session = (await store.findSession(sessionId))!;
    const caller = { user: session.user, session, client };
    const now = code();
    await reauthenticate(deps, caller, { code: now });
    expect((await appErrorOf(reauthenticate(deps, caller, { code: now }))).code).toBe('invalid_code');
  });
});

describe('the second factors and what changes them', () => {
  it('seal a key found under AUTH_SECRET_PREVIOUS anew under the current secret once it is used', async () => {
    const { deps, credentials, code, user } = await enrolled();
    const NEXT = 'the next signing secret, after a rotation'.padEnd(48, '!');
    const rotated = { ...deps, secrets: createSecretBox({ secret: NEXT, previousSecret: TEST_SECRET }) };
    await completeSignIn(rotated, { mfaToken: await passwordStep(rotated, credentials), code: code() }, client, null);
    const row = await db.totpFactor.findUnique({ where: { userId: user.id } });
    // Readable with the new secret alone: the rotation after this one loses nothing.
    expect(createSecretBox({ secret: NEXT }).open(row!.secret)).not.toBeNull();
  });

  it("let no session outlive an administrator's reset committed while its code was being checked", async () => {
    const { deps, credentials, code, user } = await enrolled();
    const mfaToken = await passwordStep(deps, credentials);
    // The reset commits just before the session is written, as an administrator's click could.
    const racing = {
      ...deps,
      store: {
        ...deps.store,
        createSession: async (...args: Parameters<typeof deps.store.createSession>) => {
          await deps.store.removeSecondFactors(user.id, {
            at: deps.now(),
            endSessions: 'second_factors_reset',
            passkeys: true,
          });
          return deps.store.createSession(...args);
        },
      },
    };
    expect((await appErrorOf(completeSignIn(racing, { mfaToken, code: code() }, client, null))).code).toBe(
      'invalid_credentials',
    );
    expect(await store.listLiveSessions(user.id, deps.now())).toEqual([]);
  });
});
