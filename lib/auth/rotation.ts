/**
 * Refresh-token rotation with reuse detection: the rotation rules of docs/design.md, cited by
 * their numbers there.
 *
 * 1. A refresh token is accepted once: one transaction marks it used and writes its successor.
 * 2. The token just replaced (the immediate predecessor of the session's newest, still unused
 *    token), presented again within the grace window, is a benign race (two tabs, a retried
 *    request): the caller gets the *same* successor re-signed, so every racer converges on one
 *    chain and the session keeps a single live refresh token.
 * 3. Any other used token is a replay: the whole session is revoked and the event logged.
 * 4. Revoked or expired sessions, disabled or deleted users, and sessions older than the last
 *    password change cannot refresh (assertSessionUsable).
 * 6. A token used shortly before this process started gets its grace window from the start-up
 *    instead (a crash lost the response): still only the immediate predecessor of an unused
 *    successor.
 * 7. A session bound to a browser key (DPoP) refreshes only with a proof from that key
 *    (assertSessionKey), checked after rule 4 and before rules 1–3 so a copied token changes
 *    nothing.
 * Rule 5 (ending a session) is sessions.ts and logout.ts; rule 8 is revocation-feed.ts.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { randomId } from '../ids';
import { log } from '../log';
import { asRole } from '../users/roles';
import type { AuthDeps, ClientInfo, RefreshOutcome } from './deps';
import type { PresentedProof } from './dpop';
import { assertSessionKey } from './session-key';
import { assertSessionUsable, refreshTokenExpiry, revokeSession } from './sessions';
import { signPair, type TokenPair } from './token-pair';

/**
 * How long before this process's start a token's use may have been for rule 6 to apply: longer
 * than any restart should take (a crash, an upgrade), short enough that an old, rotated token of
 * an idle session does not get a fresh grace window every time a server starts.
 */
export const RESTART_GAP_MS = 5 * 60 * 1000;

/** Rotates, counting the outcome for the operators' metrics. */
export async function rotateRefreshToken(
  deps: AuthDeps,
  refreshToken: string,
  client: ClientInfo = { userAgent: null, ip: null },
  proof: PresentedProof = null,
): Promise<TokenPair> {
  try {
    const { pair, outcome } = await rotate(deps, refreshToken, client, proof);
    deps.events.refresh(outcome);
    return pair;
  } catch (error) {
    if (error instanceof AppError) {
      deps.events.refresh(error.code === 'token_reused' ? 'reuse_detected' : 'refused');
    }
    throw error;
  }
}

async function rotate(
  deps: AuthDeps,
  refreshToken: string,
  client: ClientInfo,
  proof: PresentedProof,
): Promise<{ pair: TokenPair; outcome: RefreshOutcome }> {
  const now = deps.now();
  // Signature, expiry, iss, aud, typ and type first: an access token here is refused.
  const claims = await deps.tokens.verifyRefresh(refreshToken, now);

  let row = await deps.store.findRefreshToken(claims.jti);
  // Unknown jti, or claims that do not match the row: not a token we issued for this session.
  if (!row || row.sessionId !== claims.sid || row.session.userId !== claims.sub) {
    throw new AppError('invalid_token', 'the refresh token is not recognised');
  }
  const session = row.session;
  // Rule 4: an ended session or a changed account cannot refresh.
  assertSessionUsable(session, now);
  // The token names the key its session was bound to; a mismatch is not a token we issued.
  if (claims.jkt !== session.dpopJkt) throw new AppError('invalid_token', 'the refresh token is not recognised');
  // Rule 7 (DPoP): checked before the token is judged, so a copied token cannot consume the chain,
  // trigger reuse detection or end the session: the browser that holds the key keeps working.
  await assertSessionKey(deps, session, proof, { client, event: 'refresh.dpop_refused' });
  const subject = { userId: session.userId, role: asRole(session.user.role), sessionId: session.id };

  if (row.usedAt === null) {
    const successorId = randomId();
    const successorExpiresAt = refreshTokenExpiry(deps, now, session.expiresAt);
    // Rule 1: one atomic conditional update, false when a concurrent request consumed it first.
    const rotated = await deps.store.rotateRefreshToken({
      id: row.id,
      sessionId: row.sessionId,
      successor: { id: successorId, issuedAt: now, expiresAt: successorExpiresAt },
      at: now,
    });
    if (rotated) {
      return {
        pair: await signPair(deps, subject, { jti: successorId, expiresAt: successorExpiresAt, jkt: session.dpopJkt }),
        outcome: 'rotated',
      };
    }
    // Lost the race to a concurrent request: judge the token as the used token it now is.
    row = await deps.store.findRefreshToken(claims.jti);
    if (!row?.usedAt) throw new AppError('invalid_token', 'the refresh token is not recognised');
  }

  const usedAt = row.usedAt;
  const successor = row.replacedById ? await deps.store.findRefreshTokenOnly(row.replacedById) : null;
  // Rule 6: a use recorded shortly before this process started may be a rotation whose response a crash
  // lost: its window opens at start-up, so a restart slower than the window is not mistaken for
  // theft. Only shortly before: a token used long ago gets no second window at every restart.
  const usedBeforeStart = deps.startedAt.getTime() - usedAt.getTime();
  const lostInRestart = usedBeforeStart > 0 && usedBeforeStart <= RESTART_GAP_MS;
  const graceFrom = lostInRestart ? deps.startedAt.getTime() : usedAt.getTime();
  const withinGrace = now.getTime() - graceFrom <= deps.policy.reuseGraceSeconds * 1000;
  // Rule 2: only the immediate predecessor of the newest (unused) token qualifies for the grace window.
  if (successor && successor.usedAt === null && withinGrace && successor.expiresAt.getTime() > now.getTime()) {
    log.info('refresh race inside the grace window; re-issuing the current token', {
      sessionId: session.id,
      jti: row.id,
    });
    return {
      pair: await signPair(deps, subject, { jti: successor.id, expiresAt: successor.expiresAt, jkt: session.dpopJkt }),
      outcome: 'grace_reissue',
    };
  }

  // Rule 3, a replay: whoever holds this chain is not the only holder. End the session for everyone.
  // Concurrent replays all get 401, but only the one that ended the session records it.
  const ended = await revokeSession(deps, session.id, 'token_reused');
  if (ended)
    await recordEvent(
      deps.store,
      {
        type: 'refresh.reuse_detected',
        userId: session.userId,
        sessionId: session.id,
        client,
        detail: { usedAt: usedAt.toISOString() },
      },
      now,
    );
  log.warn('refresh token reuse detected; session revoked', {
    event: 'token_reused',
    sessionId: session.id,
    userId: session.userId,
    jti: row.id,
    usedAt: usedAt.toISOString(),
  });
  throw new AppError('token_reused', 'this refresh token was already used; the session has been ended');
}
