/**
 * Single sign-on through an OpenID Provider, as the authorization code flow with PKCE (S256),
 * `state` and `nonce`. The provider proves who the user is once; from then on the user has an
 * ordinary session of ours (rotation, DPoP binding, live revocation).
 *
 * 1. start: a pending login (state, nonce, PKCE verifier, `next`, intent) is stored server-side
 *    (every instance can finish it), single use, LOGIN_MINUTES long; the browser that started it
 *    gets a random binding value (a cookie) whose hash the row keeps;
 * 2. the provider sends the browser back to /login/sso, whose page hands the answer to the API;
 * 3. complete: the pending login is taken (deleted) before anything else, so a state is good for
 *    one attempt whatever its outcome; the binding must match; the code is exchanged and the ID
 *    token checked (provider.ts); then, by intent: a new session (sign_in), a linked identity
 *    (link), or a fresh authentication of the caller's session (reauth).
 */
import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { recordEvent } from '../../audit/audit-log';
import type { SsoLoginRecord } from '../../db';
import { AppError } from '../../errors';
import { randomId } from '../../ids';
import { amrFromClaim, type Amr } from '../authentication';
import { recordReauthentication } from '../reauthenticate';
import type { AuthDeps, ClientInfo } from '../deps';
import { isRefused, type PresentedProof } from '../dpop';
import { hasAnySecondFactor, hasSecondFactor } from '../second-factor/factors';
import { secondStepRequired, startPendingSignIn } from '../second-factor/pending';
import { requireLiveSession, startSession } from '../sessions';
import { assertSessionKey } from '../session-key';
import type { TokenPair } from '../token-pair';
import { resolveAccount, syncRole } from './accounts';
import { noteSignIn } from '../email/devices';
import type { IdTokenClaims, OpenIdProvider } from './provider';

export const LOGIN_MINUTES = 10;
/** A re-authentication must have happened at the provider this recently. */
const REAUTH_MAX_AGE_SECONDS = 300;

export type SsoIntent = 'sign_in' | 'link' | 'reauth';

/** The parameters the provider put on the browser's return to the redirect URI. */
export type CallbackParams = {
  state: string;
  code?: string | undefined;
  iss?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
};

export type SsoOutcome =
  | { intent: 'sign_in'; userId: string; sessionId: string; pair: TokenPair; next: string | null }
  | { intent: 'link'; next: string | null }
  | { intent: 'reauth'; authTime: Date; next: string | null };

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

function failed(detail: string): AppError {
  return new AppError('sso_failed', detail);
}

/**
 * Starts a sign-in (or, for a signed-in caller, a link or a re-authentication): the URL to send
 * the browser to, and the binding value for its cookie.
 */
export async function startSso(
  deps: AuthDeps,
  provider: OpenIdProvider,
  request: { intent: SsoIntent; next: string | null; sessionId: string | null },
): Promise<{ authorizationUrl: string; binding: string; expiresIn: number }> {
  if (request.intent !== 'sign_in' && request.sessionId === null) {
    throw new TypeError('startSso: a link or re-authentication belongs to a session');
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const url = await provider.authorizationUrl({
    state,
    nonce,
    codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    fresh: request.intent === 'reauth',
  });
  const binding = randomBytes(32).toString('base64url');
  const now = deps.now();
  await deps.store.createSsoLogin({
    // Only hashes of what the browser holds: a copy of the table cannot finish anybody's sign-in.
    id: sha256(state),
    intent: request.intent,
    nonce,
    codeVerifier: deps.secrets.seal(Buffer.from(codeVerifier)),
    next: request.next,
    binding: sha256(binding),
    sessionId: request.sessionId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + LOGIN_MINUTES * 60_000),
  });
  return { authorizationUrl: url.href, binding, expiresIn: LOGIN_MINUTES * 60 };
}

function sameBinding(login: SsoLoginRecord, binding: string | null): boolean {
  if (binding === null) return false;
  const given = Buffer.from(sha256(binding));
  const kept = Buffer.from(login.binding);
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/** The callback URL as the provider built it, for openid-client's checks (state, iss, code). */
function callbackUrl(redirectUri: string, params: CallbackParams): URL {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') url.searchParams.set(name, value);
  }
  return url;
}

export async function completeSso(
  deps: AuthDeps,
  provider: OpenIdProvider,
  input: {
    params: CallbackParams;
    /** The binding cookie's value, if the browser sent one. */
    binding: string | null;
    /** The signed-in caller (its access token), for a link or a re-authentication. */
    caller: { userId: string; sessionId: string } | null;
    client: ClientInfo;
    proof: PresentedProof;
  },
): Promise<SsoOutcome> {
  const { params, client } = input;
  const name = provider.settings.displayName;
  const refuse = async (reason: string, detail: string, userId: string | null = null): Promise<never> => {
    await recordEvent(
      deps.store,
      { type: 'sso.failure', userId, client, detail: { provider: name, reason } },
      deps.now(),
    );
    deps.events.signIn('invalid_credentials');
    throw failed(detail);
  };
  // Taken first, whatever happens next: a state is good for one attempt.
  const login = await deps.store.takeSsoLogin(sha256(params.state), deps.now());
  if (!login) {
    return refuse('unknown_state', 'this sign-in was already used, has expired, or was not started here; start again');
  }
  // Only the browser that started it may finish it: a link to someone else's return is useless.
  if (!sameBinding(login, input.binding)) {
    return refuse('binding', 'this sign-in was started in another browser; start again here');
  }
  if (params.error !== undefined) {
    return refuse(`provider: ${params.error}`.slice(0, 80), `${name} did not sign you in (${params.error})`);
  }
  const verifier = deps.secrets.open(login.codeVerifier);
  if (verifier === null) return refuse('sealed_verifier', 'this sign-in cannot be finished any more; start again');
  let claims: IdTokenClaims;
  try {
    claims = await provider.exchange(callbackUrl(provider.settings.redirectUri, params), {
      state: params.state,
      nonce: login.nonce,
      codeVerifier: Buffer.from(verifier).toString(),
      ...(login.intent === 'reauth' ? { maxAge: REAUTH_MAX_AGE_SECONDS } : {}),
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'sso_failed') {
      return refuse('id_token_or_code', error.message);
    }
    throw error;
  }
  switch (login.intent) {
    case 'sign_in':
      return { ...(await signInThrough(deps, provider, claims, { ...input, next: login.next })), next: login.next };
    case 'link':
      await linkTo(deps, provider, claims, login, input);
      return { intent: 'link', next: login.next };
    case 'reauth':
      return {
        intent: 'reauth',
        authTime: await reauthenticateThrough(deps, provider, claims, login, input),
        next: login.next,
      };
    default:
      return refuse('intent', 'this sign-in cannot be finished; start again');
  }
}

/** The session's authentication, as the provider reported it. */
function authenticationFrom(claims: IdTokenClaims, now: Date): { at: Date; amr: Amr[] } {
  const authTime = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : null;
  // A time in the future is not one the provider's clock and ours can both be right about.
  const at = authTime !== null && authTime.getTime() <= now.getTime() ? authTime : now;
  return { at, amr: amrFromClaim(claims.amr) };
}

async function signInThrough(
  deps: AuthDeps,
  provider: OpenIdProvider,
  claims: IdTokenClaims,
  input: { client: ClientInfo; proof: PresentedProof; next: string | null },
): Promise<Omit<Extract<SsoOutcome, { intent: 'sign_in' }>, 'next'>> {
  const { client, proof } = input;
  const name = provider.settings.displayName;
  if (isRefused(proof)) throw proof.refused;
  if (!proof && deps.policy.dpopRequired) {
    throw new AppError('dpop_required', 'this server only starts sessions bound to a browser key (DPoP)');
  }
  const account = await resolveAccount(deps, provider.settings, claims, client);
  // A disabled account stays out, however it signs in.
  if (account.user.disabled) {
    await recordEvent(deps.store, { type: 'sign_in.disabled', userId: account.user.id, client }, deps.now());
    deps.events.signIn('account_disabled');
    throw new AppError('account_disabled', 'this account has been disabled by an administrator');
  }
  const user = await syncRole(deps, provider.settings, account.user, claims, client);
  const now = deps.now();
  const { at, amr } = authenticationFrom(claims, now);
  // An authenticator app set up here is asked for, as after a password, unless the provider says
  // its own sign-in was multi-factor: a stolen provider password alone must not pass it by.
  if (!amr.includes('mfa') && (await hasSecondFactor(deps, user.id))) {
    const sso = { issuer: claims.iss, sid: typeof claims.sid === 'string' ? claims.sid : null };
    const pending = await startPendingSignIn(deps, user, at, proof?.jkt ?? null, { amr, sso });
    await recordEvent(
      deps.store,
      { type: 'sign_in.second_factor_required', userId: user.id, client, detail: { method: 'sso' } },
      deps.now(),
    );
    deps.events.signIn('second_factor_required');
    throw secondStepRequired(pending, input.next);
  }
  const started = await startSession(deps, user, client, now, proof?.jkt ?? null, amr, {
    issuer: claims.iss,
    sid: typeof claims.sid === 'string' ? claims.sid : null,
    authTime: at,
  });
  // Disabled, reset or deleted while the code was exchanged.
  if (!started) throw failed('the account changed meanwhile; start again');
  await recordEvent(
    deps.store,
    {
      type: 'sign_in.success',
      userId: user.id,
      sessionId: started.sessionId,
      client,
      detail: { method: 'sso', provider: name, ...(account.how !== 'linked' ? { account: account.how } : {}) },
    },
    deps.now(),
  );
  await noteSignIn(deps, user, started.sessionId, client);
  deps.events.signIn('success');
  return { intent: 'sign_in', userId: user.id, sessionId: started.sessionId, pair: started.pair };
}

/**
 * The caller that asked for a link or re-authentication, still signed in in the same session, and
 * (for a session bound to a browser key) proving that key: a copied access token changes nothing.
 */
async function callerOf(
  deps: AuthDeps,
  login: SsoLoginRecord,
  input: { caller: { userId: string; sessionId: string } | null; client: ClientInfo; proof: PresentedProof },
) {
  const { caller } = input;
  if (caller === null || caller.sessionId !== login.sessionId) {
    throw failed('finish this from the session that started it');
  }
  const session = await requireLiveSession(deps, caller);
  await assertSessionKey(deps, session, input.proof, {
    client: input.client,
    event: 'request.dpop_refused',
    action: `single sign-on (${login.intent})`,
  });
  return session;
}

async function linkTo(
  deps: AuthDeps,
  provider: OpenIdProvider,
  claims: IdTokenClaims,
  login: SsoLoginRecord,
  input: { caller: { userId: string; sessionId: string } | null; client: ClientInfo; proof: PresentedProof },
): Promise<void> {
  const session = await callerOf(deps, login, input);
  const now = deps.now();
  const linked = await deps.store.linkIdentity({
    id: randomId(),
    userId: session.userId,
    issuer: claims.iss,
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email.toLowerCase() : null,
    createdAt: now,
    lastUsedAt: null,
  });
  if (linked === 'in_use') {
    const owner = await deps.store.findIdentity(claims.iss, claims.sub);
    if (owner?.userId === session.userId) return; // linked already: nothing to do
    await recordEvent(
      deps.store,
      {
        type: 'sso.failure',
        userId: session.userId,
        sessionId: session.id,
        client: input.client,
        detail: { provider: provider.settings.displayName, reason: 'identity_in_use' },
      },
      now,
    );
    throw new AppError('sso_identity_in_use', 'that identity is already linked to another account here');
  }
  await recordEvent(
    deps.store,
    {
      type: 'sso.linked',
      userId: session.userId,
      actorId: session.userId,
      sessionId: session.id,
      client: input.client,
      detail: { provider: provider.settings.displayName, by: 'user' },
    },
    now,
  );
}

async function reauthenticateThrough(
  deps: AuthDeps,
  provider: OpenIdProvider,
  claims: IdTokenClaims,
  login: SsoLoginRecord,
  input: { caller: { userId: string; sessionId: string } | null; client: ClientInfo; proof: PresentedProof },
): Promise<Date> {
  const session = await callerOf(deps, login, input);
  const context = { userId: session.userId, sessionId: session.id, client: input.client };
  const identity = await deps.store.findIdentity(claims.iss, claims.sub);
  // The provider must have signed in this account's own identity, not just anyone.
  if (identity?.userId !== session.userId) {
    await recordEvent(deps.store, { type: 'reauth.failure', ...context, detail: { method: 'sso' } }, deps.now());
    deps.events.secondFactor('reauth_failed');
    throw failed(`that is not the identity at ${provider.settings.displayName} linked to this account`);
  }
  const proved = amrFromClaim(claims.amr);
  // As for a password: an account with a second factor here confirms with it, unless the
  // provider says its own sign-in was multi-factor.
  if (!proved.includes('mfa') && (await hasAnySecondFactor(deps, session.userId))) {
    throw new AppError('second_factor_required', 'this account re-authenticates with its second factor');
  }
  return recordReauthentication(deps, session, proved, { client: input.client, method: 'sso' });
}
