/**
 * OpenID Connect Back-Channel Logout 1.0: the provider POSTs a `logout_token` when the user signs
 * out there (or an administrator ends their session there), and every session of ours that began
 * through that provider session ends on every instance within the revocation feed's poll, its
 * access tokens included (rule 8).
 *
 * The token is accepted only if (§2.6): it is a JWT signed by the provider's keys with the one
 * allowed algorithm; `iss` is the provider, `aud` this client, `iat` recent; it carries the
 * back-channel logout event, a `sid` or a `sub`, and no `nonce` (so an ID token cannot pass for
 * one); its `jti` was not seen before, on any instance (the single-use ledger in the database).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { recordEvent } from '../../audit/audit-log';
import { AppError } from '../../errors';
import type { AuthDeps, ClientInfo } from '../deps';
import { revokeSession } from '../sessions';
import type { OpenIdProvider } from './provider';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused; its jti is remembered at least this long. */
const MAX_AGE_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

function invalid(detail: string, cause?: unknown): AppError {
  return new AppError('invalid_request', detail, { cause });
}

/** The claims of a logout token that passes every check of §2.6, or an invalid_request AppError. */
async function verifyLogoutToken(
  deps: AuthDeps,
  provider: OpenIdProvider,
  issuer: string,
  token: string,
): Promise<JWTPayload> {
  const { settings } = provider;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await provider.keys(), {
      issuer,
      audience: settings.clientId,
      // The algorithm is pinned as for ID tokens: an unsigned or HMAC-signed token is refused.
      algorithms: [settings.idTokenAlg],
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: deps.now(),
    }));
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof errors.JOSEError) throw invalid(`the logout token is not valid: ${error.message}`, error);
    throw invalid('the logout token is not valid', error);
  }
  const events = payload.events as Record<string, unknown> | undefined;
  const event =
    typeof events === 'object' && events !== null && !Array.isArray(events) ? events[LOGOUT_EVENT] : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw invalid('the logout token does not carry the back-channel logout event');
  }
  // An ID token (which has a nonce) must never be accepted as a logout token.
  if ('nonce' in payload) throw invalid('a logout token must not contain a nonce');
  const sid = payload.sid;
  const sub = payload.sub;
  if ((typeof sid !== 'string' || sid === '') && (typeof sub !== 'string' || sub === '')) {
    throw invalid('the logout token names neither a session (sid) nor a user (sub)');
  }
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) {
    throw invalid('the logout token needs a jti');
  }
  const id = createHash('sha256').update(`backchannel-logout\0${issuer}\0${payload.jti}`).digest('base64url');
  const keepUntil = new Date(((payload.iat as number) + MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000);
  // Used once, on every instance: the same ledger as DPoP proofs.
  if (!(await deps.store.rememberDpopProof(id, keepUntil))) throw invalid('this logout token was already used');
  return payload;
}

const REFUSALS_RECORDED = 30;

/** A per-minute allowance, per instance: a fixed window is enough for keeping a log's size in check. */
const refusalsToRecord = {
  window: 0,
  used: 0,
  take(now: Date): boolean {
    const window = Math.floor(now.getTime() / 60_000);
    if (window !== this.window) [this.window, this.used] = [window, 0];
    return this.used++ < REFUSALS_RECORDED;
  },
};

/** Ends the sessions the logout token names; how many ended. */
export async function backchannelLogout(
  deps: AuthDeps,
  provider: OpenIdProvider,
  token: string,
  client: ClientInfo,
): Promise<number> {
  const name = provider.settings.displayName;
  // As the provider spells it: the `iss` its tokens carry and the sessions were stored under.
  const issuer = await provider.issuer();
  let claims: JWTPayload;
  try {
    claims = await verifyLogoutToken(deps, provider, issuer, token);
  } catch (error) {
    // Anyone can post here: refusals are recorded, but not more than REFUSALS_RECORDED a minute per
    // instance, so a flood of junk cannot fill the audit log.
    if (error instanceof AppError && error.code === 'invalid_request' && refusalsToRecord.take(deps.now())) {
      await recordEvent(
        deps.store,
        { type: 'sso.logout_refused', client, detail: { provider: name, reason: error.message.slice(0, 200) } },
        deps.now(),
      );
    }
    throw error;
  }
  const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
  let userId: string | undefined;
  if (typeof claims.sub === 'string' && claims.sub !== '') {
    const identity = await deps.store.findIdentity(issuer, claims.sub);
    // A user the provider knows and we do not: nothing of ours to end (and with a sid, nothing of theirs).
    if (!identity) return 0;
    userId = identity.userId;
  }
  const sessions = await deps.store.ssoSessions(issuer, { sid, userId }, deps.now());
  let ended = 0;
  for (const sessionId of sessions) {
    if (await revokeSession(deps, sessionId, 'sso_logout')) ended++;
  }
  const owner = userId ?? (sessions.length > 0 ? ((await deps.store.findSession(sessions[0]!))?.userId ?? null) : null);
  await recordEvent(
    deps.store,
    {
      type: 'sso.backchannel_logout',
      userId: owner,
      client,
      detail: { provider: name, sessions: ended, by: sid ? 'sid' : 'sub' },
    },
    deps.now(),
  );
  return ended;
}
