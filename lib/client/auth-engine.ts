/**
 * Everything the browser client is made of, wired in one place and free of React: the token
 * store, the refresh coordinator and its transport, the authenticated fetch and the account
 * workflows. The page builds it with the browser's storage, key store, lock, clock and fetch
 * (auth-provider.tsx); a test builds it with its own.
 */
import type { ClientSettings } from '../api/client-settings';
import { createAuthClient } from './auth-client';
import { deviceId } from './device-id';
import { createAuthFetch } from './auth-fetch';
import type { Clock } from './clock';
import type { CrossTabLock } from './cross-tab-lock';
import type { KeyStore } from './dpop-keys';
import { boundKeyOf, createProofs } from './dpop-proofs';
import { createRefreshCoordinator, type CoordinatorEvents } from './refresh-coordinator';
import { createRefreshTransport } from './refresh-transport';
import { createTokenStore, type KeyValueStorage } from './token-store';

export type AuthEnvironment = {
  /** localStorage in the page: tokens and the DPoP nonce, shared by the tabs. */
  storage: KeyValueStorage;
  keys: KeyStore;
  /** The page's URL, which DPoP proofs name requests against. */
  baseUrl: () => string;
  lock: CrossTabLock;
  clock: Clock;
  fetch: typeof fetch;
  settings: ClientSettings;
  events?: CoordinatorEvents & { onSignedIn?: () => void };
};

export type AuthEngine = ReturnType<typeof createAuthEngine>;

export function createAuthEngine(env: AuthEnvironment) {
  const store = createTokenStore(env.storage);
  const proofs = createProofs({ storage: env.storage, baseUrl: env.baseUrl });
  const coordinator = createRefreshCoordinator({
    store,
    transport: createRefreshTransport({ keys: env.keys, proofs, fetch: env.fetch }),
    lock: env.lock,
    clock: env.clock,
    settings: env.settings,
    ...(env.events ? { events: env.events } : {}),
  });
  const authFetch = createAuthFetch({
    coordinator,
    timeoutMs: env.settings.requestTimeoutMs,
    keys: env.keys,
    proofs,
    sessionKey: () => {
      const tokens = store.read();
      return tokens ? boundKeyOf(tokens.refreshToken) : null;
    },
    fetch: env.fetch,
  });
  const client = createAuthClient({
    store,
    coordinator,
    authFetch,
    keys: env.keys,
    proofs,
    timeoutMs: env.settings.requestTimeoutMs,
    fetch: env.fetch,
    deviceId: () => deviceId(env.storage),
    ...(env.events?.onSignedIn ? { onSignedIn: env.events.onSignedIn } : {}),
  });
  return { store, coordinator, authFetch, client };
}
