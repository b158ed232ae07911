/**
 * Refresh-token rotation with reuse detection: the rotation rules of docs/design.md, cited by
 * their numbers there. A refresh token names its session and its generation; the session row
 * holds the generation that may rotate (g), when the rotation that made it current happened, and
 * when its token expires. That row is the whole state of the chain.
 *
 * 1. A refresh token is accepted once: one conditional update moves the row from g to g+1.
 * 2. The token just replaced (generation g-1), presented again within the grace window of the
 *    rotation that replaced it, is a benign race (two tabs, a retried request): the caller gets
 *    generation g re-signed, so every racer converges on one chain.
 * 3. Any older generation, or g-1 after the window, is a replay: the whole session is revoked
 *    and the event logged, for as long as the session exists.
 * 4. Revoked or expired sessions, disabled or deleted users, and sessions older than the last
 *    password change cannot refresh (assertSessionUsable).
 * 6. A rotation recorded shortly before this process started gets its grace window from the
 *    start-up instead (a crash lost the response): still only for generation g-1.
 * 7. A session bound to a browser key (DPoP) refreshes only with a proof from that key
 *    (assertSessionKey), checked after rule 4 and before rules 1–3 so a copied token changes
 *    nothing.
 * Rule 5 (ending a session) is sessions.ts and logout.ts; rule 8 is revocation-feed.ts.
 */
import 'server-only';
import { recordEvent } from '../audit/audit-log';
import { AppError } from '../errors';
import { log } from '../log';
import { asRole } from '../users/roles';
import type { SessionWithUser } from '../db';
import type { AuthDeps, ClientInfo, RefreshOutcome } from './deps';
import { isRefused, type PresentedProof } from './dpop';
import { assertSessionKey } from './session-key';
import { assertSessionUsable, authenticationOf, refreshTokenExpiry, revokeSession } from './sessions';
import { signPair, type TokenPair } from './token-pair';
import type { RefreshClaims } from './tokens';

/**
 * How long before this process's start a rotation may have been for rule 6 to apply: longer
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

/** The one answer for a token that names no session we can honour, whatever the reason. */
function notRecognised(): AppError {
  return new AppError('invalid_token', 'the refresh token is not recognised');
}

/**
 * The generation a presented token stands for: its own `gen`, or, for a token issued by the
 * release that stored one row per token, the generation the upgrade recorded for its jti (the
 * current token 0, the one it replaced -1). Any other token of that release for this session is
 * older still: one already used. Null for a token this session cannot have been given.
 */
function presentedGeneration(claims: RefreshClaims, session: SessionWithUser): number | null {
  if (claims.gen !== null) return claims.gen;
  if (session.legacyJti === null) return null;
  if (claims.jti === session.legacyJti) return 0;
  if (claims.jti === session.legacyPreviousJti) return -1;
  return -2;
}

/**
 * Rules 2 and 6: whether the token replaced at `replacedAt` is still inside its grace window. A
 * rotation recorded shortly before this process started may be one whose response a crash lost:
 * its window opens at start-up, so a restart slower than the window is not mistaken for theft.
 * Only shortly before: a token replaced long ago gets no second window at every restart.
 */
function withinGrace(deps: AuthDeps, replacedAt: Date, now: Date): boolean {
  const replacedBeforeStart = deps.startedAt.getTime() - replacedAt.getTime();
  const lostInRestart = replacedBeforeStart > 0 && replacedBeforeStart <= RESTART_GAP_MS;
  const graceFrom = lostInRestart ? deps.startedAt.getTime() : replacedAt.getTime();
  return now.getTime() - graceFrom <= deps.policy.reuseGraceSeconds * 1000;
}

async function rotate(
  deps: AuthDeps,
  refreshToken: string,
  client: ClientInfo,
  proof: PresentedProof,
): Promise<{ pair: TokenPair; outcome: RefreshOutcome }> {
  const now = deps.now();
  // Signature, expiry, iss, aud, typ and type first: an access token here is refused.
  const claims = deps.tokens.verifyRefreshNow(refreshToken, now);

  // The common case in one statement: a token of the generation its session is at, presented with
  // a proof of the key it names (or, unbound, with none). The conditional update holds every check
  // below that could refuse it (rules 4 and 7 in its condition, rule 1 as its lock); whatever does
  // not hold, nothing changes and the full path below finds out why.
  if (claims.gen !== null && !isRefused(proof) && (proof?.jkt ?? null) === claims.jkt) {
    const rotated = await deps.store.rotateCurrent({
      sessionId: claims.sid,
      userId: claims.sub,
      dpopJkt: claims.jkt,
      generation: claims.gen,
      at: now,
      // Capped at the session's end by the statement.
      refreshExpiresAt: new Date(now.getTime() + deps.policy.refreshTokenSeconds * 1000),
    });
    if (rotated) {
      // The session's authentication as it stands: a refresh is not a new one.
      const auth = { at: rotated.authTime, amr: rotated.amr };
      const subject = { userId: claims.sub, role: asRole(rotated.role), sessionId: claims.sid, auth };
      return {
        pair: signPair(deps, subject, {
          generation: claims.gen + 1,
          expiresAt: rotated.refreshExpiresAt,
          jkt: claims.jkt,
        }),
        outcome: 'rotated',
      };
    }
  }

  let session = await deps.store.findSession(claims.sid);
  // No such session (never, or deleted once it ended long ago), or claims that do not match it.
  if (!session || session.userId !== claims.sub) throw notRecognised();
  // Rule 4: an ended session or a changed account cannot refresh.
  assertSessionUsable(session, now);
  // The token names the key its session was bound to; a mismatch is not a token we issued.
  if (claims.jkt !== session.dpopJkt) throw notRecognised();
  // Rule 7 (DPoP): checked before the token is judged, so a copied token cannot consume the chain,
  // trigger reuse detection or end the session: the browser that holds the key keeps working.
  // (An unbound session presented without a proof has nothing to check: no await for it.)
  if (session.dpopJkt !== null || proof !== null) {
    await assertSessionKey(deps, session, proof, { client, event: 'refresh.dpop_refused' });
  }
  const presented = presentedGeneration(claims, session);
  if (presented === null || presented > session.generation) throw notRecognised();
  const subject = {
    userId: session.userId,
    role: asRole(session.user.role),
    sessionId: session.id,
    auth: authenticationOf(session),
  };
  const jkt = session.dpopJkt;

  if (presented === session.generation) {
    const refreshExpiresAt = refreshTokenExpiry(deps, now, session.expiresAt);
    // Rule 1: one conditional update of the session row, false when a concurrent request (on any
    // instance) rotated this generation first, or the session ended meanwhile.
    const rotated = await deps.store.rotateSession({
      sessionId: session.id,
      generation: presented,
      at: now,
      refreshExpiresAt,
    });
    if (rotated) {
      return {
        pair: signPair(deps, subject, { generation: presented + 1, expiresAt: refreshExpiresAt, jkt }),
        outcome: 'rotated',
      };
    }
    // Judge the token against the row as the winner left it.
    session = await deps.store.findSession(claims.sid);
    if (!session) throw notRecognised();
    assertSessionUsable(session, now);
    if (presented >= session.generation) throw notRecognised();
  }

  // Rule 2: only the generation just replaced, inside its grace window, is a benign race; it gets
  // the current generation re-signed, so every racer converges on one chain.
  const current = session.generation;
  const replacedAt = session.rotatedAt;
  const currentExpiresAt = session.refreshExpiresAt;
  if (
    presented === current - 1 &&
    replacedAt !== null &&
    withinGrace(deps, replacedAt, now) &&
    currentExpiresAt !== null &&
    currentExpiresAt.getTime() > now.getTime()
  ) {
    log.info('refresh race inside the grace window; re-issuing the current token', {
      sessionId: session.id,
      generation: presented,
    });
    return {
      pair: signPair(deps, subject, { generation: current, expiresAt: currentExpiresAt, jkt }),
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
        detail: { generation: presented, current },
      },
      now,
    );
  log.warn('refresh token reuse detected; session revoked', {
    event: 'token_reused',
    sessionId: session.id,
    userId: session.userId,
    generation: presented,
    current,
  });
  throw new AppError('token_reused', 'this refresh token was already used; the session has been ended');
}
