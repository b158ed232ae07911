/**
 * Keeps the access token fresh in one tab, cooperating with the others.
 *
 * - Proactive: a timer fires `lead` before expiry, where lead = min(refreshLeadSeconds, half the
 *   lifetime) minus a little jitter (so tabs and devices do not refresh in lockstep); re-checked
 *   whenever the page regains focus or visibility. Only the leader tab (leader-election.ts) runs
 *   this timer; the other tabs keep a later backstop timer that fires only if the leader did not
 *   rotate (frozen or closed). Tabs cannot simply all race for a lock and then re-read
 *   localStorage: Chromium propagates localStorage between tab processes asynchronously, so the
 *   tab that gets the lock next may still read the old tokens and refresh a second time.
 * - Reactive: `refresh({ staleAccessToken })` after a 401; concurrent calls share one request,
 *   and if another request or tab already replaced that token, no request is made.
 * - Across tabs: the refresh runs under a cross-tab lock, and re-reads storage once inside it.
 * - Faults: network errors, timeouts and 5xx keep the tokens and retry with backoff; only a
 *   terminal answer (refresh-outcome.ts) signs out. Nothing can hang: the lock wait and the
 *   request both have timeouts.
 * - Sign-out wins: a result is written only if the storage generation is unchanged.
 */
import type { Clock } from './clock';
import type { CrossTabLock } from './cross-tab-lock';
import type { RefreshAnswer, TerminalCode } from './refresh-outcome';
import type { ClientSettings } from '../api/client-settings';
import { tokensFromResponse, type StoredTokens, type TokenStore } from './token-store';

export type RefreshTransport = (refreshToken: string, signal: AbortSignal) => Promise<RefreshAnswer>;

export type RefreshResult =
  | { kind: 'ok'; tokens: StoredTokens }
  | { kind: 'terminal'; code: TerminalCode }
  | { kind: 'transient'; reason: string }
  | { kind: 'signed-out' };

export type RefreshRequest = {
  /** The access token a request was refused with: skip the refresh if it was already replaced. */
  staleAccessToken?: string;
  /** Refresh even if the access token is not due (restoring a session on /login). */
  force?: boolean;
  /** A scheduled retry, or a signal that the network is back: not held back by the backoff. */
  retry?: boolean;
};

export type CoordinatorEvents = {
  /** Tokens changed (this tab's refresh, or another tab's, or signed out when null). */
  onTokens?: (tokens: StoredTokens | null) => void;
  /** The server ended the session; the tokens have been cleared. */
  onTerminal?: (code: TerminalCode) => void;
  /** Refreshing failed for a transient reason and is being retried (true), or recovered (false). */
  onReconnecting?: (reconnecting: boolean) => void;
};

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
const JITTER_FRACTION = 0.1;
/** Past this, an access token is treated as expired even if its deadline is a moment away. */
const EXPIRY_MARGIN_MS = 2_000;

/** How long before expiry to refresh: the configured lead, or half the lifetime if shorter. */
export function refreshLeadMs(tokens: StoredTokens, leadSeconds: number): number {
  const lifetime = tokens.accessExpiresAt - tokens.receivedAt;
  return Math.max(0, Math.min(leadSeconds * 1000, lifetime / 2));
}

export type RefreshCoordinator = ReturnType<typeof createRefreshCoordinator>;

export function createRefreshCoordinator(deps: {
  store: TokenStore;
  transport: RefreshTransport;
  lock: CrossTabLock;
  clock: Clock;
  settings: ClientSettings;
  random?: () => number;
  events?: CoordinatorEvents;
}) {
  const { store, transport, lock, clock, settings } = deps;
  const random = deps.random ?? Math.random;
  const events = deps.events ?? {};
  let inFlight: Promise<RefreshResult> | null = null;
  let timer: unknown = null;
  let failures = 0;
  /** While retrying, refreshes asked for before this time wait for the retry timer. */
  let nextRetryAt = 0;
  let retryRequest: RefreshRequest = {};
  let stopped = false;
  let leader = false;

  function dueAt(tokens: StoredTokens): number {
    return tokens.accessExpiresAt - refreshLeadMs(tokens, settings.refreshLeadSeconds);
  }

  /** Due, allowing for the largest jitter any tab may have applied to its timer. */
  function isDue(tokens: StoredTokens): boolean {
    const slack = refreshLeadMs(tokens, settings.refreshLeadSeconds) * JITTER_FRACTION;
    return clock.now() >= dueAt(tokens) - slack - 1;
  }

  /** Refreshing works again: leave the reconnecting state if we were in it. */
  function recovered(): void {
    if (failures === 0) return;
    failures = 0;
    events.onReconnecting?.(false);
  }

  function cancelTimer(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  }

  function schedule(delayMs: number, request: RefreshRequest = {}): void {
    cancelTimer();
    if (stopped) return;
    timer = clock.setTimeout(
      () => {
        timer = null;
        void refresh(request);
      },
      // Clamped: browsers fire longer timeouts (over ~24.8 days) immediately.
      Math.min(Math.max(0, delayMs), 2_147_483_647),
    );
  }

  /** Arms the proactive timer for the stored tokens (or clears it when signed out). */
  function scheduleFor(tokens: StoredTokens | null): void {
    if (!tokens) {
      cancelTimer();
      return;
    }
    const lead = refreshLeadMs(tokens, settings.refreshLeadSeconds);
    const jitter = random() * lead * JITTER_FRACTION;
    // Followers wait until halfway between the due time and expiry: long after the leader's
    // rotation has reached them, yet well before the access token runs out.
    const at = leader ? dueAt(tokens) - jitter : dueAt(tokens) + lead / 2 + jitter;
    schedule(at - clock.now());
  }

  function withTimeout(refreshToken: string): Promise<RefreshAnswer> {
    const controller = new AbortController();
    return new Promise<RefreshAnswer>((resolve) => {
      const handle = clock.setTimeout(() => {
        controller.abort();
        resolve({ kind: 'transient', reason: 'timed out' });
      }, settings.requestTimeoutMs);
      transport(refreshToken, controller.signal).then(
        (answer) => {
          clock.clearTimeout(handle);
          resolve(answer);
        },
        (error: unknown) => {
          clock.clearTimeout(handle);
          resolve({ kind: 'transient', reason: error instanceof Error ? error.message : 'network error' });
        },
      );
    });
  }

  /** Whether, having taken the lock and re-read storage, there is nothing left to do. */
  function alreadyDone(request: RefreshRequest, stored: StoredTokens, startedAt: number): boolean {
    // Restoring: only a refresh completed after we asked will do (it also renewed the cookie).
    if (request.force) return stored.receivedAt > startedAt;
    // After a 401: done if that token has been replaced by someone else meanwhile.
    if (request.staleAccessToken !== undefined) return stored.accessToken !== request.staleAccessToken;
    // Proactive: done if the stored token is no longer due (another tab rotated it).
    return !isDue(stored);
  }

  async function attempt(request: RefreshRequest, generation: number, startedAt: number): Promise<RefreshResult> {
    // Inside the lock: storage may have changed while we waited (another tab rotated).
    const stored = store.read();
    if (!stored || store.generation() !== generation) return { kind: 'signed-out' };
    if (alreadyDone(request, stored, startedAt)) return { kind: 'ok', tokens: stored };
    const answer = await withTimeout(stored.refreshToken);
    if (answer.kind === 'ok') {
      const tokens = tokensFromResponse(answer.body, clock.now(), stored.user);
      // Signed out (or in again) while the request was in flight: discard the result.
      if (!store.writeIf(generation, tokens)) return { kind: 'signed-out' };
      return { kind: 'ok', tokens };
    }
    if (answer.kind === 'terminal') {
      store.clearIf(generation);
      return { kind: 'terminal', code: answer.code };
    }
    return answer;
  }

  function settle(request: RefreshRequest, result: RefreshResult): RefreshResult {
    if (stopped) return result;
    switch (result.kind) {
      case 'ok':
        recovered();
        scheduleFor(result.tokens);
        events.onTokens?.(result.tokens);
        break;
      case 'transient': {
        const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]! * (1 + random() * JITTER_FRACTION);
        failures += 1;
        nextRetryAt = clock.now() + delay;
        retryRequest = { ...request, retry: true };
        if (failures === 1) events.onReconnecting?.(true);
        // Retry the same request: a failed restore must still renew, not merely check.
        schedule(delay, retryRequest);
        break;
      }
      case 'terminal':
        scheduleFor(null);
        recovered();
        events.onTerminal?.(result.code);
        break;
      case 'signed-out': {
        const current = store.read();
        scheduleFor(current);
        events.onTokens?.(current);
        break;
      }
    }
    return result;
  }

  /** Refreshes (or learns that it need not). Concurrent calls in this tab share one attempt. */
  function refresh(request: RefreshRequest = {}): Promise<RefreshResult> {
    if (inFlight) return inFlight;
    // Backing off: a 401 elsewhere must not turn the retry schedule into a request storm.
    if (failures > 0 && !request.retry && clock.now() < nextRetryAt) {
      return Promise.resolve({ kind: 'transient', reason: 'waiting to retry' });
    }
    const generation = store.generation();
    const startedAt = clock.now();
    // The lock wait and the request each have their own bound, so this always settles.
    const lockTimeout = settings.requestTimeoutMs + 2_000;
    inFlight = lock(() => attempt(request, generation, startedAt), lockTimeout)
      .catch((error: unknown): RefreshResult => ({ kind: 'transient', reason: String(error) }))
      .then((result) => settle(request, result))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  return {
    refresh,

    /** Start (or restart) the proactive timer from what storage holds now. */
    start(): void {
      stopped = false;
      scheduleFor(store.read());
    },

    /** This tab now runs the proactive timer for every tab (or stops: a follower again). */
    setLeader(value: boolean): void {
      leader = value;
      if (failures === 0) scheduleFor(store.read());
    },

    stop(): void {
      stopped = true;
      scheduleFor(null);
    },

    /** Focus, visibility or connectivity came back: refresh now if due or if retrying. */
    check(): void {
      const stored = store.read();
      if (!stored) return;
      if (failures > 0) void refresh(retryRequest);
      else if (isDue(stored)) void refresh({});
    },

    /** Another tab changed storage: follow it. */
    storageChanged(): void {
      const stored = store.read();
      if (stored) recovered();
      scheduleFor(stored);
      events.onTokens?.(stored);
    },

    /**
     * An access token to send now: refreshes first when the stored one has (nearly) expired.
     * Null when signed out.
     */
    async accessToken(): Promise<string | null> {
      const stored = store.read();
      if (!stored) return null;
      if (clock.now() < stored.accessExpiresAt - EXPIRY_MARGIN_MS) return stored.accessToken;
      const result = await refresh({ staleAccessToken: stored.accessToken });
      if (result.kind === 'ok') return result.tokens.accessToken;
      // Transient: try with what we have; the server decides, and a 401 comes back here.
      return store.read()?.accessToken ?? null;
    },

    get reconnecting(): boolean {
      return failures > 0;
    },
  };
}
