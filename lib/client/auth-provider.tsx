'use client';
/**
 * <AuthProvider> and useAuth(): the browser side of staying signed in.
 *
 *   const { status, user, expiresAt, reconnecting, signIn, signOut, fetcher } = useAuth();
 *   const { data } = useSWR('/api/auth/me', fetcher);
 *
 * Tokens live in localStorage (shared by tabs); the refresh coordinator keeps them fresh.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createAuthFetch, jsonFetcher, type AuthFetch } from './auth-fetch';
import { systemClock } from './clock';
import { browserLock } from './cross-tab-lock';
import { boundKeyOf, deleteKeys, fetchWithProof, forgetKey, loadKey, newKey, postSigner, saveKey } from './dpop';
import { fetchWithTimeout, jsonOrNull } from './http';
import { electLeader } from './leader-election';
import { createRefreshCoordinator, type RefreshCoordinator, type RefreshResult } from './refresh-coordinator';
import { httpRefresh } from './refresh-transport';
import type { ClientSettings } from '../api/client-settings';
import { requestTokens, type SignInFailure } from './sign-in-request';
import {
  createTokenStore,
  GENERATION_KEY,
  TOKENS_KEY,
  tokensFromResponse,
  type SignedInUser,
  type StoredTokens,
  type TokenResponse,
  type TokenStore,
} from './token-store';

export type AuthStatus = 'loading' | 'authenticated' | 'unauthenticated';

export type AuthState = {
  status: AuthStatus;
  user: SignedInUser | null;
  /** Device-clock ms when the access token expires (null when signed out). */
  expiresAt: number | null;
  /** Device-clock ms after which the refresh token (and so this sign-in) ends. */
  refreshExpiresAt: number | null;
  /** Refreshing failed for a transient reason (network, 5xx) and is being retried. */
  reconnecting: boolean;
  /** Why the last session ended, when the server ended it (token_reused, session_revoked...). */
  endedBecause: string | null;
};

export type AuthApi = AuthState & {
  signIn: (username: string, password: string) => Promise<{ ok: true } | { ok: false; failure: SignInFailure }>;
  signOut: () => Promise<void>;
  /**
   * Changes the password. Every session ends on the server; this tab (and the others of this
   * browser) continue with the fresh pair the server answers.
   */
  changePassword: (
    currentPassword: string,
    newPassword: string,
  ) => Promise<{ ok: true } | { ok: false; failure: SignInFailure }>;
  /** Renew the session from the stored refresh token (used by /login on arrival). */
  restore: () => Promise<RefreshResult>;
  /** Whether a refresh token that has not expired is stored. */
  hasStoredSession: () => boolean;
  authFetch: AuthFetch;
  /** The timing this client runs with (from the server's configuration). */
  settings: ClientSettings;
  /** SWR fetcher for JSON APIs: `useSWR('/api/auth/me', fetcher)`. */
  fetcher: <T>(url: string) => Promise<T>;
};

const AuthContext = createContext<AuthApi | null>(null);

type Engine = { store: TokenStore; coordinator: RefreshCoordinator; authFetch: AuthFetch };

function stateFrom(tokens: StoredTokens | null, reconnecting: boolean, endedBecause: string | null): AuthState {
  return {
    status: tokens ? 'authenticated' : 'unauthenticated',
    user: tokens?.user ?? null,
    expiresAt: tokens?.accessExpiresAt ?? null,
    refreshExpiresAt: tokens?.refreshExpiresAt ?? null,
    reconnecting: tokens ? reconnecting : false,
    endedBecause,
  };
}

const LOADING: AuthState = {
  status: 'loading',
  user: null,
  expiresAt: null,
  refreshExpiresAt: null,
  reconnecting: false,
  endedBecause: null,
};

export function AuthProvider({ settings, children }: { settings: ClientSettings; children: ReactNode }) {
  const [state, setState] = useState<AuthState>(LOADING);
  const engine = useRef<Engine | null>(null);
  const ended = useRef<string | null>(null);

  useEffect(() => {
    const store = createTokenStore(window.localStorage);
    const publish = () =>
      setState(stateFrom(store.read(), engine.current?.coordinator.reconnecting ?? false, ended.current));
    const coordinator = createRefreshCoordinator({
      store,
      transport: httpRefresh,
      lock: browserLock(window.localStorage, systemClock),
      clock: systemClock,
      settings,
      events: {
        onTokens: publish,
        onReconnecting: publish,
        onTerminal: (code) => {
          ended.current = code;
          publish();
        },
      },
    });
    const sessionKey = () => {
      const tokens = store.read();
      return tokens ? boundKeyOf(tokens.refreshToken) : null;
    };
    engine.current = {
      store,
      coordinator,
      authFetch: createAuthFetch(coordinator, settings.requestTimeoutMs, sessionKey),
    };
    coordinator.start();
    const resign = electLeader(() => coordinator.setLeader(true));
    publish();

    const onStorage = (event: StorageEvent) => {
      // Another tab signed in, rotated or signed out.
      if (event.key === TOKENS_KEY || event.key === GENERATION_KEY || event.key === null) coordinator.storageChanged();
    };
    const onWake = () => {
      if (document.visibilityState === 'visible') coordinator.check();
    };
    window.addEventListener('storage', onStorage);
    window.addEventListener('focus', onWake);
    window.addEventListener('online', onWake);
    document.addEventListener('visibilitychange', onWake);
    return () => {
      resign();
      coordinator.stop();
      window.removeEventListener('storage', onStorage);
      window.removeEventListener('focus', onWake);
      window.removeEventListener('online', onWake);
      document.removeEventListener('visibilitychange', onWake);
      engine.current = null;
    };
  }, [settings]);

  const authFetch = useCallback<AuthFetch>((input, init) => {
    if (!engine.current) return Promise.reject(new Error('the auth client is not ready yet'));
    return engine.current.authFetch(input, init);
  }, []);
  // The ref is read when a request is made, never during render.
  const fetcher = useCallback(<T,>(url: string) => jsonFetcher(authFetch)<T>(url), [authFetch]);

  const signIn = useCallback<AuthApi['signIn']>(
    async (username, password) => {
      const current = engine.current;
      if (!current) return { ok: false, failure: { code: 'not_ready', message: 'Still loading; try again.' } };
      // A new key for each sign-in, stored (under its thumbprint) before the server binds to it;
      // where the browser cannot keep one, the session is simply unbound.
      const created = await newKey();
      const key = created && (await saveKey(created)) ? created : null;
      const result = await requestTokens(username, password, settings.requestTimeoutMs, key);
      const bound = result.ok && key !== null && boundKeyOf(result.body.refresh_token) === key.jkt;
      // A key the server did not bind to is of no use.
      if (key && !bound) void forgetKey(key.jkt);
      if (!result.ok) return result;
      // Keys of earlier sign-ins in this browser are no longer needed.
      if (bound) void deleteKeys(key);
      ended.current = null;
      const generation = current.store.signIn(tokensFromResponse(result.body, Date.now(), null));
      // Who signed in: shown on every page, kept with the tokens.
      try {
        const response = await current.authFetch('/api/auth/me');
        if (response.ok) {
          const me = (await response.json()) as SignedInUser;
          const stored = current.store.read();
          if (stored) {
            current.store.writeIf(generation, { ...stored, user: { id: me.id, username: me.username, role: me.role } });
          }
        }
      } catch {
        // The pages load /me themselves; a blip here must not fail the sign-in.
      }
      current.coordinator.storageChanged();
      return { ok: true };
    },
    [settings.requestTimeoutMs],
  );

  const signOut = useCallback<AuthApi['signOut']>(async () => {
    const current = engine.current;
    if (!current) return;
    const tokens = current.store.read();
    // Local first: from here on no refresh result may write tokens back (generation bump).
    current.store.clear();
    ended.current = null;
    current.coordinator.storageChanged();
    try {
      if (!tokens) return;
      // A bound session is ended with a proof of its key, so the key goes only after this.
      const jkt = boundKeyOf(tokens.refreshToken);
      await fetchWithProof(
        postSigner(jkt ? await loadKey(jkt) : null, '/api/auth/logout'),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.accessToken}` },
          body: JSON.stringify({ refresh_token: tokens.refreshToken }),
          credentials: 'same-origin',
          keepalive: true, // survives the navigation to /login
        },
        (init) => fetchWithTimeout('/api/auth/logout', init, settings.requestTimeoutMs),
      );
    } catch {
      // Signed out locally regardless; the server session expires on its own.
    } finally {
      // The browser key goes with the sign-in: the next sign-in makes a new one.
      await deleteKeys(null);
    }
  }, [settings.requestTimeoutMs]);

  const changePassword = useCallback<AuthApi['changePassword']>(async (currentPassword, newPassword) => {
    const current = engine.current;
    if (!current) return { ok: false, failure: { code: 'not_ready', message: 'Still loading; try again.' } };
    let response: Response;
    try {
      response = await current.authFetch('/api/auth/password', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: currentPassword, new_password: newPassword }),
      });
    } catch {
      return { ok: false, failure: { code: 'network', message: 'Cannot reach the server. Try again.' } };
    }
    const body = (await jsonOrNull(response)) as (TokenResponse & { code?: string; detail?: string }) | null;
    if (!response.ok || !body?.access_token) {
      const message =
        response.status === 401
          ? 'The current password is not right.'
          : response.status === 429
            ? 'Too many attempts. Wait a moment and try again.'
            : (body?.detail ?? 'The password could not be changed. Try again.');
      return { ok: false, failure: { code: body?.code ?? String(response.status), message } };
    }
    // The old session is over: adopt the new one at once, for every tab of this browser.
    current.store.signIn(tokensFromResponse(body, Date.now(), current.store.read()?.user ?? null));
    current.coordinator.storageChanged();
    return { ok: true };
  }, []);

  const restore = useCallback<AuthApi['restore']>(async () => {
    if (!engine.current) return { kind: 'signed-out' };
    return engine.current.coordinator.refresh({ force: true });
  }, []);

  const hasStoredSession = useCallback(() => {
    const tokens = engine.current?.store.read();
    return Boolean(tokens && tokens.refreshExpiresAt > Date.now());
  }, []);

  const api = useMemo<AuthApi>(
    () => ({ ...state, signIn, signOut, changePassword, restore, hasStoredSession, authFetch, fetcher, settings }),
    [state, signIn, signOut, changePassword, restore, hasStoredSession, authFetch, fetcher, settings],
  );
  return <AuthContext.Provider value={api}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const api = useContext(AuthContext);
  if (!api) throw new TypeError('useAuth() must be used inside <AuthProvider>');
  return api;
}
