/**
 * The browser's three account workflows, free of React (auth-provider.tsx only wires them to
 * state) so they can be tested directly:
 *
 * - signIn: a new DPoP key for each sign-in, stored (under its thumbprint) before the server binds
 *   the session to it; where the browser cannot keep one, or the server cannot check its proof,
 *   the session is simply unbound. Keys of earlier sign-ins go once the new one is bound.
 * - signOut: local first (from then on no refresh result may write tokens back), then the server
 *   is told with a proof of the session's key; the key and the nonce go last.
 * - changePassword: every session ends on the server; this browser continues with the fresh pair
 *   the server answers.
 */
import type { MeResponse, TokenResponse } from '../api/auth';
import type { SsoCallbackRequest } from '../api/sso';
import { CLIENT_FAILURES, userMessage, type MessageContext } from '../api/errors';
import { PATHS } from '../api/routes';
import type { AuthFetch } from './auth-fetch';
import { newKey, type DpopKey, type KeyStore } from './dpop-keys';
import { boundKeyOf, type Proofs } from './dpop-proofs';
import { DEVICE_HEADER } from './device-id';
import { fetchWithTimeout, jsonOrNull, RequestTimeoutError } from './http';
import type { RefreshCoordinator } from './refresh-coordinator';
import { tokensFromResponse, type TokenStore } from './token-store';

export type Failure = { code: string; message: string };

/** What a single sign-on is for: a sign-in, linking the account, or confirming it is you. */
export type SsoIntent = 'sign_in' | 'link' | 'reauth';
/** Where this tab keeps the intent of the single sign-on it started, until the provider sends it back. */
export const SSO_INTENT_KEY = 'staysignedin.sso-intent';
export type SsoStarted = { ok: true; url: string } | { ok: false; failure: Failure };
/** `mfaToken`: the provider signed the user in; this account's authenticator app must follow (completeSignIn). */
export type SsoFinished =
  | { ok: true; intent: SsoIntent; next: string | null }
  | { ok: false; failure: Failure; intent: SsoIntent; mfaToken?: string; next?: string | null };
/** `mfaToken`: the password was right; a code from the authenticator app must follow (completeSignIn). */
export type Outcome = { ok: true } | { ok: false; failure: Failure; mfaToken?: string };

export type AuthClientDeps = {
  store: TokenStore;
  coordinator: RefreshCoordinator;
  authFetch: AuthFetch;
  keys: KeyStore;
  proofs: Proofs;
  timeoutMs: number;
  fetch: typeof fetch;
  /** This browser's device id, sent with every sign-in (new-device alerts). */
  deviceId?: () => string;
  /** Called as a sign-in succeeds, before the new tokens are published to the tabs. */
  onSignedIn?: () => void;
};

export type AuthClient = ReturnType<typeof createAuthClient>;

function networkFailure(error: unknown): Failure {
  const code = error instanceof RequestTimeoutError ? 'timeout' : 'network';
  return { code, message: CLIENT_FAILURES[code] };
}

/** What to tell the person about an error answer (its body read), from the one table (lib/api/errors.ts). */
function failureOf(response: Response, answer: unknown, context: MessageContext): Failure {
  const body = answer as { code?: unknown; detail?: unknown } | null;
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    code: typeof body?.code === 'string' ? body.code : `http_${response.status}`,
    message: userMessage(body, { context, retryAfterSeconds: retryAfter > 0 ? retryAfter : null }),
  };
}

function isTokenResponse(value: unknown): value is TokenResponse {
  return typeof value === 'object' && value !== null && typeof (value as TokenResponse).access_token === 'string';
}

export function createAuthClient(deps: AuthClientDeps) {
  const { store, coordinator, authFetch, keys, proofs } = deps;
  const post = (path: string, init: RequestInit & { headers: Record<string, string> }, key: DpopKey | null) =>
    proofs.fetchWithProof(proofs.signer(key, 'POST', path), init, (request) =>
      fetchWithTimeout(path, request, deps.timeoutMs, deps.fetch),
    );

  /** The key the last password step was sent with: its second step must prove the same one. */
  let pendingKey: DpopKey | null = null;

  async function requestTokens(
    path: string,
    fields: Record<string, unknown>,
    key: DpopKey | null,
  ): Promise<{ response: Response; key: DpopKey | null }> {
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(deps.deviceId ? { [DEVICE_HEADER]: deps.deviceId() } : {}),
      },
      body: JSON.stringify(fields),
      credentials: 'same-origin' as const,
    };
    const response = await post(path, init, key);
    // A proof the server cannot check (a proxy that rewrites the URL): sign in unbound rather than
    // not at all. The sessions page then says the session is not bound.
    if (
      key &&
      path !== PATHS.mfa &&
      response.status === 401 &&
      ((await jsonOrNull(response.clone())) as { code?: string } | null)?.code === 'invalid_dpop_proof'
    ) {
      return { response: await post(path, init, null), key: null };
    }
    return { response, key };
  }

  /**
   * A sign-in's request with a new browser key offered for the session; the key the server was
   * sent (none, after requestTokens' fallback), or the network failure. A key not sent is forgotten.
   */
  async function withNewKey(
    path: string,
    fields: Record<string, unknown>,
  ): Promise<{ response: Response; key: DpopKey | null } | Failure> {
    const created = await newKey();
    const offered = created && (await keys.save(created)) ? created : null;
    try {
      const sent = await requestTokens(path, fields, offered);
      if (offered && sent.key !== offered) void keys.forget(offered.jkt);
      return sent;
    } catch (error) {
      if (offered) void keys.forget(offered.jkt);
      return networkFailure(error);
    }
  }

  /** A token answer adopted as this browser's session, or the failure to show. */
  async function adopt(response: Response, body: unknown, key: DpopKey | null): Promise<Outcome> {
    const ok = response.ok && isTokenResponse(body);
    const bound = ok && key !== null && boundKeyOf(body.refresh_token) === key.jkt;
    // A key the server did not bind to is of no use.
    if (key && !bound) void keys.forget(key.jkt);
    if (!ok) return { ok: false, failure: failureOf(response, body, 'sign-in') };
    // Keys of earlier sign-ins in this browser are no longer needed.
    if (bound) void keys.forgetOlder(key);
    deps.onSignedIn?.();
    const generation = store.signIn(tokensFromResponse(body, Date.now(), null));
    // Who signed in: shown on every page, kept with the tokens.
    try {
      const me = await authFetch(PATHS.me);
      if (me.ok) {
        const { id, username: name, role } = (await me.json()) as MeResponse;
        const stored = store.read();
        if (stored) store.writeIf(generation, { ...stored, user: { id, username: name, role } });
      }
    } catch {
      // The pages load /me themselves; a blip here must not fail the sign-in.
    }
    coordinator.storageChanged();
    return { ok: true };
  }

  /**
   * A first step that starts a session (a password, a reset link) with a new key: the session, or
   * the second step it asks for (mfa_required), which keeps the key since it must prove it too.
   */
  async function signInThrough(path: string, fields: Record<string, unknown>): Promise<Outcome> {
    return (await firstStep(path, fields)).outcome;
  }

  /** signInThrough, with the answer's body (a single sign-on's `next` is in it). */
  async function firstStep(
    path: string,
    fields: Record<string, unknown>,
  ): Promise<{ outcome: Outcome; body: { next?: unknown } | null }> {
    const sent = await withNewKey(path, fields);
    if (!('response' in sent)) return { outcome: { ok: false, failure: sent }, body: null };
    const { response, key } = sent;
    const body = (await jsonOrNull(response)) as { code?: unknown; mfa_token?: unknown; next?: unknown } | null;
    if (response.status === 403 && body?.code === 'mfa_required' && typeof body.mfa_token === 'string') {
      pendingKey = key;
      return { outcome: { ok: false, failure: failureOf(response, body, 'sign-in'), mfaToken: body.mfa_token }, body };
    }
    return { outcome: await adopt(response, body, key), body };
  }

  return {
    async signIn(username: string, password: string): Promise<Outcome> {
      return signInThrough(PATHS.token, { username, password });
    },

    /**
     * Follows a password-reset link: the new password, and this browser signed in as by a
     * sign-in (a new key; a second step first for an account that has a second factor).
     */
    async resetPassword(token: string, newPassword: string): Promise<Outcome> {
      return signInThrough(PATHS.passwordResetConfirm, { token, new_password: newPassword });
    },

    /**
     * Sign-in with a passkey: the server's challenge, the browser's passkey prompt (or, with
     * `autofill`, the passkeys offered in the username field's suggestions), then an ordinary
     * session bound to a new browser key, as for a password. The WebAuthn code loads only here.
     */
    async signInWithPasskey(autofill = false): Promise<Outcome> {
      let answer: unknown;
      try {
        const { startAuthentication } = await import('@simplewebauthn/browser');
        const options = await fetchWithTimeout(
          PATHS.passkeySignInOptions,
          { method: 'POST', credentials: 'same-origin' },
          deps.timeoutMs,
          deps.fetch,
        );
        if (!options.ok) return { ok: false, failure: failureOf(options, await jsonOrNull(options), 'sign-in') };
        const optionsJSON = (await options.json()) as Parameters<typeof startAuthentication>[0]['optionsJSON'];
        answer = await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
      } catch (error) {
        // Cancelled, timed out or refused in the browser's own prompt: nothing was sent.
        if (error instanceof Error && /NotAllowed|Abort|cancel/i.test(`${error.name} ${error.message}`)) {
          return { ok: false, failure: { code: 'passkey_cancelled', message: CLIENT_FAILURES.passkey_cancelled } };
        }
        return { ok: false, failure: networkFailure(error) };
      }
      const sent = await withNewKey(PATHS.passkeySignIn, { response: answer });
      if (!('response' in sent)) return { ok: false, failure: sent };
      return adopt(sent.response, await jsonOrNull(sent.response), sent.key);
    },

    /** The second step: a code from the authenticator app, or a recovery code. */
    async completeSignIn(mfaToken: string, code: string): Promise<Outcome> {
      const key = pendingKey;
      let response: Response;
      try {
        ({ response } = await requestTokens(PATHS.mfa, { mfa_token: mfaToken, code }, key));
      } catch (error) {
        return { ok: false, failure: networkFailure(error), mfaToken };
      }
      const body = await jsonOrNull(response);
      // A wrong code, or a wait: the same step may be tried again with the same key.
      const refused = (body as { code?: unknown } | null)?.code;
      if (refused === 'invalid_code' || refused === 'too_many_attempts') {
        return { ok: false, failure: failureOf(response, body, 'sign-in'), mfaToken };
      }
      pendingKey = null;
      return adopt(response, body, key);
    },

    /**
     * Signs out; for a session that began through an identity provider offering RP-initiated
     * logout, the provider's URL to send the browser to next (null otherwise).
     */
    async signOut(): Promise<string | null> {
      const tokens = store.read();
      // Local first: from here on no refresh result may write tokens back (generation bump).
      store.clear();
      coordinator.storageChanged();
      try {
        if (!tokens) return null;
        // A bound session is ended with a proof of its key, so the key goes only after this.
        const jkt = boundKeyOf(tokens.refreshToken);
        const response = await post(
          PATHS.logout,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.accessToken}` },
            body: JSON.stringify({ refresh_token: tokens.refreshToken }),
            credentials: 'same-origin',
            keepalive: true, // survives the navigation to /login
          },
          jkt ? await keys.load(jkt) : null,
        );
        if (response.status !== 200) return null;
        const url = ((await jsonOrNull(response)) as { end_session_url?: unknown } | null)?.end_session_url;
        // Only a web address: nothing else is followed.
        return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
      } catch {
        // Signed out locally regardless; the server session expires on its own.
        return null;
      } finally {
        // The browser key goes with the sign-in: the next sign-in makes a new one.
        await keys.forgetOlder(null);
        proofs.forgetNonce();
      }
    },

    /**
     * Starts a single sign-on at the identity provider: the URL to send this tab to. A sign-in
     * needs no session; a link or re-authentication is asked for by the signed-in caller.
     */
    async startSso(intent: SsoIntent, next: string | null, tab: Storage | null): Promise<SsoStarted> {
      const path = intent === 'sign_in' ? PATHS.ssoStart : intent === 'link' ? PATHS.identityLink : PATHS.reauthSso;
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(next ? { next } : {}),
        credentials: 'same-origin' as const, // the binding cookie comes with the answer
      };
      let response: Response;
      try {
        response =
          intent === 'sign_in'
            ? await fetchWithTimeout(path, init, deps.timeoutMs, deps.fetch)
            : await authFetch(path, init);
      } catch (error) {
        return { ok: false, failure: networkFailure(error) };
      }
      const body = (await jsonOrNull(response)) as { authorization_url?: unknown } | null;
      if (!response.ok || typeof body?.authorization_url !== 'string') {
        return { ok: false, failure: failureOf(response, body, 'sign-in') };
      }
      tab?.setItem(SSO_INTENT_KEY, intent);
      return { ok: true, url: body.authorization_url };
    },

    /**
     * Finishes a single sign-on with what the provider put on the return to /login/sso: a sign-in
     * becomes this browser's session (bound to a new key, as for a password); a link or
     * re-authentication is finished by the signed-in session itself.
     */
    async completeSso(params: SsoCallbackRequest, tab: Storage | null): Promise<SsoFinished> {
      const kept = tab?.getItem(SSO_INTENT_KEY);
      tab?.removeItem(SSO_INTENT_KEY);
      const intent: SsoIntent = kept === 'link' || kept === 'reauth' ? kept : 'sign_in';
      if (intent === 'sign_in') {
        const { outcome, body } = await firstStep(PATHS.ssoCallback, params);
        const next = typeof body?.next === 'string' ? body.next : null;
        return outcome.ok ? { ok: true, intent, next } : { ...outcome, intent, next };
      }
      let response: Response;
      try {
        response = await authFetch(PATHS.ssoCallback, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params),
          credentials: 'same-origin',
        });
      } catch (error) {
        return { ok: false, failure: networkFailure(error), intent };
      }
      const body = (await jsonOrNull(response)) as { next?: unknown } | null;
      if (!response.ok) return { ok: false, failure: failureOf(response, body, 'sign-in'), intent };
      return { ok: true, intent, next: typeof body?.next === 'string' ? body.next : null };
    },

    async changePassword(currentPassword: string, newPassword: string): Promise<Outcome> {
      let response: Response;
      try {
        response = await authFetch(PATHS.password, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ current_password: currentPassword, new_password: newPassword }),
        });
      } catch (error) {
        return { ok: false, failure: networkFailure(error) };
      }
      const body = await jsonOrNull(response);
      if (!response.ok || !isTokenResponse(body)) return { ok: false, failure: failureOf(response, body, 'password') };
      // The old session is over: adopt the new one at once, for every tab of this browser.
      store.signIn(tokensFromResponse(body, Date.now(), store.read()?.user ?? null));
      coordinator.storageChanged();
      return { ok: true };
    },
  };
}
