'use client';
/**
 * <AuthProvider> and useAuth(): the browser side of staying signed in, as React state. The work
 * is done by the auth engine (auth-engine.ts: token store, refresh coordinator, authenticated
 * fetch, account workflows); this component builds it with the browser's storage, key store,
 * locks and clock, follows the other tabs and the page's focus, and publishes the state.
 *
 *   const { status, user, expiresAt, reconnecting, signIn, signOut, fetcher } = useAuth();
 *   const { data } = useSWR('/api/auth/me', fetcher);
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ClientSettings } from '../api/client-settings';
import { CLIENT_FAILURES } from '../api/errors';
import type { Outcome, SsoFinished, SsoIntent, SsoStarted } from './auth-client';
import type { SsoCallbackRequest } from '../api/sso';
import { createAuthEngine, type AuthEngine } from './auth-engine';
import { jsonFetcher, type AuthFetch } from './auth-fetch';
import { systemClock } from './clock';
import { browserLock } from './cross-tab-lock';
import { indexedDbKeys } from './dpop-keys';
import { electLeader } from './leader-election';
import type { RefreshResult } from './refresh-coordinator';
import { GENERATION_KEY, TOKENS_KEY, type SignedInUser, type StoredTokens } from './token-store';

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
  signIn: (username: string, password: string) => Promise<Outcome>;
  /** Sign-in with a passkey (`autofill`: offered in the username field's suggestions). */
  signInWithPasskey: (autofill?: boolean) => Promise<Outcome>;
  /** Follows a password-reset link: the new password, and this browser signed in (or the code step). */
  resetPassword: (token: string, newPassword: string) => Promise<Outcome>;
  /** The second step of a sign-in that answered an `mfaToken`: a code, or a recovery code. */
  completeSignIn: (mfaToken: string, code: string) => Promise<Outcome>;
  /** Signs out; the identity provider's logout URL to go to next, for a single sign-on session. */
  signOut: () => Promise<string | null>;
  /** Starts a single sign-on (sign-in, link, re-authentication): the provider's URL to go to. */
  startSso: (intent: SsoIntent, next: string | null) => Promise<SsoStarted>;
  /** Finishes it, on /login/sso, with what the provider sent back. */
  completeSso: (params: SsoCallbackRequest) => Promise<SsoFinished>;
  /**
   * Changes the password. Every session ends on the server; this tab (and the others of this
   * browser) continue with the fresh pair the server answers.
   */
  changePassword: (currentPassword: string, newPassword: string) => Promise<Outcome>;
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

const NOT_READY_FAILURE = { code: 'not_ready', message: CLIENT_FAILURES.not_ready };
const NOT_READY: Outcome = { ok: false, failure: NOT_READY_FAILURE };

export function AuthProvider({ settings, children }: { settings: ClientSettings; children: ReactNode }) {
  const [state, setState] = useState<AuthState>(LOADING);
  const engine = useRef<AuthEngine | null>(null);
  const ended = useRef<string | null>(null);

  useEffect(() => {
    const publish = () => {
      const current = engine.current;
      if (current) setState(stateFrom(current.store.read(), current.coordinator.reconnecting, ended.current));
    };
    const built = createAuthEngine({
      storage: window.localStorage,
      keys: indexedDbKeys(),
      baseUrl: () => window.location.href,
      lock: browserLock(window.localStorage, systemClock),
      clock: systemClock,
      fetch: (input, init) => fetch(input, init),
      settings,
      events: {
        onTokens: publish,
        onReconnecting: publish,
        onTerminal: (code) => {
          ended.current = code;
          publish();
        },
        // A new sign-in: the reason the last session ended is no longer news.
        onSignedIn: () => (ended.current = null),
      },
    });
    engine.current = built;
    built.coordinator.start();
    const resign = electLeader(() => built.coordinator.setLeader(true));
    publish();

    const onStorage = (event: StorageEvent) => {
      // Another tab signed in, rotated or signed out.
      if (event.key === TOKENS_KEY || event.key === GENERATION_KEY || event.key === null) {
        built.coordinator.storageChanged();
      }
    };
    const onWake = () => {
      if (document.visibilityState === 'visible') built.coordinator.check();
    };
    window.addEventListener('storage', onStorage);
    window.addEventListener('focus', onWake);
    window.addEventListener('online', onWake);
    document.addEventListener('visibilitychange', onWake);
    return () => {
      resign();
      built.coordinator.stop();
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

  const signIn = useCallback<AuthApi['signIn']>(async (username, password) => {
    if (!engine.current) return NOT_READY;
    return engine.current.client.signIn(username, password);
  }, []);

  const signInWithPasskey = useCallback<AuthApi['signInWithPasskey']>(async (autofill) => {
    if (!engine.current) return NOT_READY;
    return engine.current.client.signInWithPasskey(autofill);
  }, []);

  const resetPassword = useCallback<AuthApi['resetPassword']>(async (token, newPassword) => {
    if (!engine.current) return NOT_READY;
    return engine.current.client.resetPassword(token, newPassword);
  }, []);

  const completeSignIn = useCallback<AuthApi['completeSignIn']>(async (mfaToken, code) => {
    if (!engine.current) return NOT_READY;
    return engine.current.client.completeSignIn(mfaToken, code);
  }, []);

  const signOut = useCallback<AuthApi['signOut']>(async () => {
    ended.current = null;
    return (await engine.current?.client.signOut()) ?? null;
  }, []);

  const startSso = useCallback<AuthApi['startSso']>(async (intent, next) => {
    if (!engine.current) return { ok: false, failure: NOT_READY_FAILURE };
    return engine.current.client.startSso(intent, next, window.sessionStorage);
  }, []);

  const completeSso = useCallback<AuthApi['completeSso']>(async (params) => {
    if (!engine.current) return { ok: false, failure: NOT_READY_FAILURE, intent: 'sign_in' };
    return engine.current.client.completeSso(params, window.sessionStorage);
  }, []);

  const changePassword = useCallback<AuthApi['changePassword']>(
    async (currentPassword, newPassword) =>
      engine.current ? engine.current.client.changePassword(currentPassword, newPassword) : NOT_READY,
    [],
  );

  const restore = useCallback<AuthApi['restore']>(async () => {
    if (!engine.current) return { kind: 'signed-out' };
    return engine.current.coordinator.refresh({ force: true });
  }, []);

  const hasStoredSession = useCallback(() => {
    const tokens = engine.current?.store.read();
    return Boolean(tokens && tokens.refreshExpiresAt > Date.now());
  }, []);

  const api = useMemo<AuthApi>(
    () => ({
      ...state,
      signIn,
      signInWithPasskey,
      completeSignIn,
      resetPassword,
      signOut,
      startSso,
      completeSso,
      changePassword,
      restore,
      hasStoredSession,
      authFetch,
      fetcher,
      settings,
    }),
    [
      state,
      signIn,
      signInWithPasskey,
      completeSignIn,
      resetPassword,
      signOut,
      startSso,
      completeSso,
      changePassword,
      restore,
      hasStoredSession,
      authFetch,
      fetcher,
      settings,
    ],
  );
  return <AuthContext.Provider value={api}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const api = useContext(AuthContext);
  if (!api) throw new TypeError('useAuth() must be used inside <AuthProvider>');
  return api;
}
