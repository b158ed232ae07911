import { beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { appErrorOf } from '@/tests/helpers/errors';
import { decodeClaims, forgeToken } from '@/tests/helpers/forge';
import { TEST_SECRET } from '@/tests/helpers/auth';
import { AUDIENCE, ISSUER } from './token-format';
import type { Database } from '../db';
import { createUser } from '../users/users';
import { rotateRefreshToken } from './rotation';
import { revokeSession, startSession } from './sessions';

let db: Database['client'];
let store: Database['store'];

beforeAll(async () => {
  ({ db, store } = await createTestDb('rotation'));
});

async function newSession(policy: Parameters<typeof testAuth>[1] = {}) {
  const { deps, clock } = testAuth(store, policy);
  const user = await createUser(
    deps,
    { username: `u${Math.random().toString(36).slice(2)}`, password: 'rotation test password' },
    clock.now(),
  );
  const { sessionId, pair } = (await startSession(deps, user, { userAgent: 'test', ip: null }))!;
  return { deps, clock, user, sessionId, pair };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await appErrorOf(promise)).code;
}

const genOf = (token: string) => decodeClaims(token).gen as number;
const rowOf = (id: string) => db.session.findUniqueOrThrow({ where: { id } });

describe('rotateRefreshToken', () => {
  it('returns a new pair of the next generation and moves the session row to it (rule 1)', async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    expect(genOf(pair.refreshToken)).toBe(0);
    clock.advance(1);
    const next = await rotateRefreshToken(deps, pair.refreshToken);
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    expect(genOf(next.refreshToken)).toBe(1);
    const row = await rowOf(sessionId);
    expect(row).toMatchObject({ generation: 1, rotatedAt: clock.now(), lastUsedAt: clock.now() });
    expect(row.refreshExpiresAt!.getTime()).toBe((decodeClaims(next.refreshToken).exp as number) * 1000);
  });

  it('treats the immediate predecessor inside the grace window as a race: same successor, no revocation (rule 2)', async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    const first = await rotateRefreshToken(deps, pair.refreshToken);
    clock.advance(9);
    const second = await rotateRefreshToken(deps, pair.refreshToken);
    expect(genOf(second.refreshToken)).toBe(genOf(first.refreshToken));
    expect(decodeClaims(second.refreshToken).exp).toBe(decodeClaims(first.refreshToken).exp);
    expect(await rowOf(sessionId)).toMatchObject({ generation: 1, revokedAt: null });
    // Both racers now hold the one live chain; it continues normally.
    const third = await rotateRefreshToken(deps, second.refreshToken);
    expect(genOf(third.refreshToken)).toBe(2);
    expect(decodeClaims(third.refreshToken).sid).toBe(sessionId);
  });

  it('revokes the whole session when a used token is replayed after the grace window (rule 3)', async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    const successor = await rotateRefreshToken(deps, pair.refreshToken);
    clock.advance(11);
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('token_reused');
    const session = await db.session.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session.revokedReason).toBe('token_reused');
    // The successor dies with its session: the thief and the victim are both signed out.
    expect(await codeOf(rotateRefreshToken(deps, successor.refreshToken))).toBe('token_reused');
  });

  it('revokes the session when a token older than the immediate predecessor is replayed, even inside the grace window (rule 3)', async () => {
    const { deps, pair, sessionId } = await newSession();
    const second = await rotateRefreshToken(deps, pair.refreshToken);
    await rotateRefreshToken(deps, second.refreshToken);
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('token_reused');
    expect((await db.session.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt).not.toBeNull();
  });

  it('counts the grace window from start-up for a token used before this process started (a crash lost the response) (rule 6)', async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    const successor = await rotateRefreshToken(deps, pair.refreshToken);
    // The process crashed right after that rotation and came back 30 s later (window: 10 s).
    clock.advance(30);
    const restarted = { ...deps, startedAt: clock.now() };
    clock.advance(5);
    const retried = await rotateRefreshToken(restarted, pair.refreshToken);
    expect(genOf(retried.refreshToken)).toBe(genOf(successor.refreshToken));
    expect((await db.session.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt).toBeNull();
  });

  it('still treats that token as stolen once the window after start-up has passed (rule 6)', async () => {
    const { deps, clock, pair } = await newSession();
    await rotateRefreshToken(deps, pair.refreshToken);
    clock.advance(30);
    const restarted = { ...deps, startedAt: clock.now() };
    clock.advance(11);
    expect(await codeOf(rotateRefreshToken(restarted, pair.refreshToken))).toBe('token_reused');
  });

  it("gives no start-up window to a token used long before the start (an idle session's old token) (rule 6)", async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    await rotateRefreshToken(deps, pair.refreshToken);
    clock.advance(3600); // used an hour ago; the successor was never used (an idle tab)
    const restarted = { ...deps, startedAt: clock.now() };
    clock.advance(1);
    expect(await codeOf(rotateRefreshToken(restarted, pair.refreshToken))).toBe('token_reused');
    expect((await db.session.findUniqueOrThrow({ where: { id: sessionId } })).revokedReason).toBe('token_reused');
  });

  it('still treats an older token as stolen right after start-up: only the immediate predecessor qualifies (rule 6)', async () => {
    const { deps, clock, pair } = await newSession();
    const second = await rotateRefreshToken(deps, pair.refreshToken);
    await rotateRefreshToken(deps, second.refreshToken);
    clock.advance(30);
    const restarted = { ...deps, startedAt: clock.now() };
    expect(await codeOf(rotateRefreshToken(restarted, pair.refreshToken))).toBe('token_reused');
  });

  it('refuses a token of a signed-out session with session_revoked (rule 4)', async () => {
    const { deps, pair, sessionId } = await newSession();
    await revokeSession(deps, sessionId, 'logout');
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('session_revoked');
  });

  it('refuses refresh for a disabled user with account_disabled (401) (rule 4)', async () => {
    const { deps, pair, user } = await newSession();
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    const error = await rotateRefreshToken(deps, pair.refreshToken).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'account_disabled', status: 401 });
  });

  it('refuses refresh for a deleted user (rule 4)', async () => {
    const { deps, pair, user } = await newSession();
    await db.user.delete({ where: { id: user.id } });
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('invalid_token');
  });

  it('refuses refresh for a session that began before the last password change (rule 4)', async () => {
    const { deps, clock, pair, user } = await newSession();
    clock.advance(60);
    await db.user.update({ where: { id: user.id }, data: { passwordChangedAt: clock.now() } });
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('session_revoked');
  });

  it('never issues a refresh token that outlives the session, and refuses once the session ends (rule 4)', async () => {
    const { deps, clock, pair } = await newSession({ refreshTokenSeconds: 100, sessionMaxAgeSeconds: 150 });
    clock.advance(90);
    const next = await rotateRefreshToken(deps, pair.refreshToken);
    expect(next.refreshExpiresIn).toBe(60); // capped at the session's absolute end, not 100
    expect(next.expiresIn).toBe(60); // the access token too (its lifetime here is 900 s)
    clock.advance(61);
    expect(await codeOf(rotateRefreshToken(deps, next.refreshToken))).toBe('invalid_token');
  });

  it('refuses an expired refresh token', async () => {
    const { deps, clock, pair } = await newSession({ refreshTokenSeconds: 60 });
    clock.advance(61);
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('invalid_token');
  });

  it('refuses an access token', async () => {
    const { deps, pair } = await newSession();
    expect(await codeOf(rotateRefreshToken(deps, pair.accessToken))).toBe('invalid_token');
  });

  it('lets exactly one of many concurrent rotations write a successor; the rest converge on it (rule 1)', async () => {
    const { deps, pair, sessionId } = await newSession();
    const results = await Promise.all(Array.from({ length: 10 }, () => rotateRefreshToken(deps, pair.refreshToken)));
    expect(results.map((r) => genOf(r.refreshToken))).toEqual(Array.from({ length: 10 }, () => 1));
    // One rotation happened: the row moved one generation, and the chain is alive.
    expect(await rowOf(sessionId)).toMatchObject({ generation: 1, revokedAt: null });
  });

  it('ends the session as reuse when a token many generations old is replayed, however much later (rule 3)', async () => {
    const { deps, clock, pair, sessionId } = await newSession();
    let token = pair.refreshToken;
    for (let i = 0; i < 30; i++) {
      clock.advance(60);
      token = (await rotateRefreshToken(deps, token)).refreshToken;
    }
    clock.advance(86_400);
    expect(await codeOf(rotateRefreshToken(deps, pair.refreshToken))).toBe('token_reused');
    expect(await rowOf(sessionId)).toMatchObject({ generation: 30, revokedReason: 'token_reused' });
  });

  it('answers a token of a session that no longer exists exactly as a token of one that never did', async () => {
    const { deps, clock, pair, sessionId, user } = await newSession();
    await db.session.delete({ where: { id: sessionId } });
    const gone = await appErrorOf(rotateRefreshToken(deps, pair.refreshToken));
    const never = await appErrorOf(
      rotateRefreshToken(
        deps,
        deps.tokens.signRefresh({ sub: user.id, sid: 'no-such-session', gen: 0 }, clock.seconds() + 600, clock.now()),
      ),
    );
    expect([gone.code, gone.status, gone.message]).toEqual([never.code, never.status, never.message]);
    expect(gone.code).toBe('invalid_token');
  });

  it('refuses a generation the session has not reached (a token it cannot have been given)', async () => {
    const { deps, clock, pair, user, sessionId } = await newSession();
    const ahead = deps.tokens.signRefresh({ sub: user.id, sid: sessionId, gen: 5 }, clock.seconds() + 600, clock.now());
    expect(await codeOf(rotateRefreshToken(deps, ahead))).toBe('invalid_token');
    // Nothing was consumed: the real token still rotates.
    expect(genOf((await rotateRefreshToken(deps, pair.refreshToken)).refreshToken)).toBe(1);
  });

  describe('tokens issued before generations (one row per token), by the jti the upgrade kept', () => {
    async function legacySession() {
      const session = await newSession();
      const { clock, sessionId, user } = session;
      // As the upgrade leaves a session whose current token "cur" replaced "prev" a moment ago.
      await db.session.update({
        where: { id: sessionId },
        data: { legacyJti: 'cur', legacyPreviousJti: 'prev', rotatedAt: clock.now() },
      });
      const legacy = (jti: string) =>
        forgeToken(
          TEST_SECRET,
          { typ: 'rt+jwt' },
          {
            iss: ISSUER,
            aud: AUDIENCE,
            type: 'refresh',
            sub: user.id,
            sid: sessionId,
            jti,
            iat: clock.seconds(),
            exp: clock.seconds() + 3600,
          },
        );
      return { ...session, legacy };
    }

    it('rotates the current one once, into generation 1 (rule 1)', async () => {
      const { deps, legacy, sessionId, clock } = await legacySession();
      clock.advance(60);
      const next = await rotateRefreshToken(deps, await legacy('cur'));
      expect(genOf(next.refreshToken)).toBe(1);
      expect(await rowOf(sessionId)).toMatchObject({ generation: 1, revokedAt: null });
      clock.advance(60);
      expect(await codeOf(rotateRefreshToken(deps, await legacy('cur')))).toBe('token_reused');
    });

    it('treats the one the current token replaced as a race inside the window, as a replay after it (rules 2 and 3)', async () => {
      const { deps, legacy, sessionId, clock } = await legacySession();
      clock.advance(5);
      expect(genOf((await rotateRefreshToken(deps, await legacy('prev'))).refreshToken)).toBe(0);
      clock.advance(10);
      expect(await codeOf(rotateRefreshToken(deps, await legacy('prev')))).toBe('token_reused');
      expect((await rowOf(sessionId)).revokedReason).toBe('token_reused');
    });

    it('ends the session for any older token of it (rule 3)', async () => {
      const { deps, legacy, sessionId } = await legacySession();
      expect(await codeOf(rotateRefreshToken(deps, await legacy('older')))).toBe('token_reused');
      expect((await rowOf(sessionId)).revokedReason).toBe('token_reused');
    });

    it('refuses a token without a generation for a session that began after the upgrade', async () => {
      const { deps, legacy, sessionId } = await legacySession();
      await db.session.update({ where: { id: sessionId }, data: { legacyJti: null, legacyPreviousJti: null } });
      expect(await codeOf(rotateRefreshToken(deps, await legacy('cur')))).toBe('invalid_token');
      expect((await rowOf(sessionId)).revokedAt).toBeNull();
    });
  });
});
