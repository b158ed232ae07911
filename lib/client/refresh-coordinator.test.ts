import { describe, expect, it } from 'vitest';
import { manualTimers, memoryStorage } from '@/tests/helpers/manual-timers';
import type { CrossTabLock } from './cross-tab-lock';
import { createRefreshCoordinator, type RefreshTransport } from './refresh-coordinator';
import type { RefreshAnswer, TokenAnswer } from './refresh-outcome';
import { createTokenStore, tokensFromResponse } from './token-store';

const SETTINGS = {
  refreshLeadSeconds: 300,
  requestTimeoutMs: 10_000,
  sessionCheckSeconds: 60,
  passkeys: false,
  mail: false,
  sso: null,
};
const noLock: CrossTabLock = (work) => work();

let serial = 0;
function tokenBody(expiresIn = 900): TokenAnswer {
  serial += 1;
  return {
    access_token: `at-${serial}`,
    refresh_token: `rt-${serial}`,
    expires_in: expiresIn,
    refresh_expires_in: 604_800,
  };
}

/** A refresh endpoint the test answers by hand, recording every call. */
function scriptedTransport() {
  const calls: {
    refreshToken: string;
    signal: AbortSignal;
    answer: (a: RefreshAnswer) => void;
    fail: (e: Error) => void;
  }[] = [];
  const transport: RefreshTransport = (refreshToken, signal) =>
    new Promise<RefreshAnswer>((resolve, reject) =>
      calls.push({ refreshToken, signal, answer: resolve, fail: reject }),
    );
  return { transport, calls };
}

function setup(
  options: { expiresIn?: number; lock?: CrossTabLock; random?: () => number; start?: number; leader?: boolean } = {},
) {
  const timers = manualTimers(options.start);
  const storage = memoryStorage();
  const store = createTokenStore(storage);
  store.signIn(
    tokensFromResponse(tokenBody(options.expiresIn), timers.clock.now(), { id: 'u1', username: 'ada', role: 'user' }),
  );
  const { transport, calls } = scriptedTransport();
  const events = { terminal: [] as string[], reconnecting: [] as boolean[] };
  const coordinator = createRefreshCoordinator({
    store,
    transport,
    lock: options.lock ?? noLock,
    clock: timers.clock,
    settings: SETTINGS,
    random: options.random ?? (() => 0),
    events: {
      onTerminal: (code) => events.terminal.push(code),
      onReconnecting: (value) => events.reconnecting.push(value),
    },
  });
  coordinator.start();
  coordinator.setLeader(options.leader ?? true);
  return { timers, storage, store, coordinator, calls, events };
}

describe('proactive refresh', () => {
  it('fires refreshLeadSeconds before expiry, counted from when the response arrived', async () => {
    const { timers, calls } = setup({ expiresIn: 900 });
    await timers.advance(599_000);
    expect(calls).toHaveLength(0);
    await timers.advance(1_000);
    expect(calls).toHaveLength(1);
  });

  it('ignores the device clock\'s idea of "exp": a clock hours off still refreshes on time', async () => {
    // Tokens signed "now" by the server, on a device whose clock says 1999: comparing with
    // the JWT exp would call them valid for decades. Only expires_in at receipt counts.
    const { timers, calls } = setup({ expiresIn: 900, start: Date.UTC(1999, 0, 1) });
    expect(timers.pending()[0]).toBe(600_000);
    await timers.advance(600_000);
    expect(calls).toHaveLength(1);
  });

  it('refreshes at half the lifetime when the lifetime is shorter than twice the lead, and never loops', async () => {
    const { timers, calls } = setup({ expiresIn: 60 });
    await timers.advance(29_999);
    expect(calls).toHaveLength(0);
    await timers.advance(1);
    expect(calls).toHaveLength(1);
    calls[0]!.answer({ kind: 'ok', body: tokenBody(60) });
    await timers.advance(29_000);
    expect(calls).toHaveLength(1); // no immediate second refresh
    await timers.advance(1_000);
    expect(calls).toHaveLength(2);
  });

  it('subtracts a random jitter of up to a tenth of the lead', async () => {
    const { timers } = setup({ expiresIn: 900, random: () => 1 });
    expect(timers.pending()[0]).toBe(600_000 - 30_000);
  });

  it('stores the new pair and re-arms the timer from the new response', async () => {
    const { timers, calls, store } = setup({ expiresIn: 900 });
    await timers.advance(600_000);
    calls[0]!.answer({ kind: 'ok', body: tokenBody(900) });
    await timers.flush();
    expect(store.read()?.refreshToken).toBe(`rt-${serial}`);
    expect(store.read()?.user?.username).toBe('ada');
    expect(timers.pending()[0]).toBe(600_000);
  });
});

describe('tabs that do not lead', () => {
  it('keep only a backstop timer, halfway between the due time and expiry', async () => {
    const { timers, calls } = setup({ expiresIn: 900, leader: false });
    expect(timers.pending()[0]).toBe(750_000);
    await timers.advance(749_999);
    expect(calls).toHaveLength(0);
    await timers.advance(1);
    expect(calls).toHaveLength(1);
  });

  it("follow the leader's rotation instead of refreshing themselves", async () => {
    const { timers, store, coordinator, calls } = setup({ expiresIn: 900, leader: false });
    await timers.advance(600_000);
    // The leader (another tab) rotates; its write reaches this tab as a storage event.
    store.writeIf(store.generation(), tokensFromResponse(tokenBody(900), timers.clock.now(), null));
    coordinator.storageChanged();
    await timers.advance(200_000);
    expect(calls).toHaveLength(0);
    expect(timers.pending()[0]).toBe(550_000);
  });

  it('take over the proactive timer when elected', async () => {
    const { timers, coordinator } = setup({ expiresIn: 900, leader: false });
    coordinator.setLeader(true);
    expect(timers.pending()[0]).toBe(600_000);
  });
});

describe('reactive refresh', () => {
  it('shares one request between concurrent callers', async () => {
    const { coordinator, calls, store, timers } = setup();
    const stale = store.read()!.accessToken;
    const results = [1, 2, 3].map(() => coordinator.refresh({ staleAccessToken: stale }));
    await timers.flush();
    expect(calls).toHaveLength(1);
    calls[0]!.answer({ kind: 'ok', body: tokenBody() });
    const settled = await Promise.all(results);
    expect(new Set(settled.map((r) => (r.kind === 'ok' ? r.tokens.accessToken : r.kind))).size).toBe(1);
  });

  it('makes no request when the refused token was already replaced (by another tab or request)', async () => {
    const { coordinator, calls, store } = setup();
    const stale = store.read()!.accessToken;
    store.writeIf(store.generation(), tokensFromResponse(tokenBody(), Date.now(), null));
    const result = await coordinator.refresh({ staleAccessToken: stale });
    expect(calls).toHaveLength(0);
    expect(result.kind).toBe('ok');
  });
});

describe('answers from the server', () => {
  it.each(['invalid_token', 'token_reused', 'session_revoked', 'account_disabled'] as const)(
    'treats %s as the end of the session: tokens cleared, onTerminal, no retry',
    async (code) => {
      const { coordinator, calls, store, events, timers } = setup();
      const pending = coordinator.refresh({ staleAccessToken: store.read()!.accessToken });
      await timers.flush();
      calls[0]!.answer({ kind: 'terminal', code });
      expect((await pending).kind).toBe('terminal');
      expect(store.read()).toBeNull();
      expect(events.terminal).toEqual([code]);
      expect(timers.pending()).toEqual([]);
    },
  );

  it('keeps the tokens on a transient failure and retries with growing delays until it recovers', async () => {
    const { coordinator, calls, store, events, timers } = setup();
    const before = store.read();
    void coordinator.refresh({ force: true });
    await timers.flush();
    calls[0]!.fail(new Error('Failed to fetch'));
    await timers.flush();
    expect(store.read()).toEqual(before);
    expect(events.reconnecting).toEqual([true]);
    expect(coordinator.reconnecting).toBe(true);

    await timers.advance(1_000); // first retry after 1 s
    expect(calls).toHaveLength(2);
    calls[1]!.answer({ kind: 'transient', reason: 'HTTP 500' });
    await timers.advance(1_999);
    expect(calls).toHaveLength(2);
    await timers.advance(1); // second retry after 2 s
    expect(calls).toHaveLength(3);
    calls[2]!.answer({ kind: 'ok', body: tokenBody() });
    await timers.flush();
    expect(events.reconnecting).toEqual([true, false]);
    expect(store.read()?.accessToken).toBe(`at-${serial}`);
  });

  it('does not let 401s elsewhere bypass the backoff, but a focus or "online" retries at once', async () => {
    const { coordinator, calls, store, timers } = setup();
    void coordinator.refresh({ force: true });
    await timers.flush();
    calls[0]!.fail(new Error('offline'));
    await timers.flush();
    const during = await coordinator.refresh({ staleAccessToken: store.read()!.accessToken });
    expect(during.kind).toBe('transient');
    expect(calls).toHaveLength(1);
    coordinator.check();
    await timers.flush();
    expect(calls).toHaveLength(2);
  });

  it('gives up on a request that hangs, after requestTimeoutMs, and aborts it', async () => {
    const { coordinator, calls, timers } = setup();
    const pending = coordinator.refresh({ force: true });
    await timers.flush();
    await timers.advance(10_000);
    expect(await pending).toEqual({ kind: 'transient', reason: 'timed out' });
    expect(calls[0]!.signal.aborted).toBe(true);
  });
});

describe('sign-out wins every race', () => {
  it('discards a refresh response that arrives after sign-out', async () => {
    const { coordinator, calls, store, timers } = setup();
    const pending = coordinator.refresh({ force: true });
    await timers.flush();
    store.clear(); // signed out (here or in another tab) while the request was in flight
    calls[0]!.answer({ kind: 'ok', body: tokenBody() });
    expect((await pending).kind).toBe('signed-out');
    expect(store.read()).toBeNull();
  });

  it('discards an old refresh response after a new sign-in', async () => {
    const { coordinator, calls, store, timers } = setup();
    const pending = coordinator.refresh({ force: true });
    await timers.flush();
    store.clear();
    const fresh = tokensFromResponse(tokenBody(), timers.clock.now(), null);
    store.signIn(fresh);
    calls[0]!.answer({ kind: 'ok', body: tokenBody() });
    await pending;
    expect(store.read()?.accessToken).toBe(fresh.accessToken);
  });

  it('does not clear a newer sign-in when an old refresh is answered as terminal', async () => {
    const { coordinator, calls, store, timers } = setup();
    const pending = coordinator.refresh({ force: true });
    await timers.flush();
    store.signIn(tokensFromResponse(tokenBody(), timers.clock.now(), null));
    calls[0]!.answer({ kind: 'terminal', code: 'session_revoked' });
    await pending;
    expect(store.read()).not.toBeNull();
  });
});

describe('across tabs', () => {
  it('re-reads storage inside the lock and skips a refresh another tab already made', async () => {
    const { timers, storage, calls } = setup({ expiresIn: 900 });
    // A second tab on the same storage, whose lock is held by the first tab until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowLock: CrossTabLock = async (work) => {
      await held;
      return work();
    };
    const otherTransport = scriptedTransport();
    const other = createRefreshCoordinator({
      store: createTokenStore(storage),
      transport: otherTransport.transport,
      lock: slowLock,
      clock: timers.clock,
      settings: SETTINGS,
      random: () => 0,
    });
    other.start();
    await timers.advance(600_000); // both tabs are due
    expect(calls).toHaveLength(1); // the first tab asked
    calls[0]!.answer({ kind: 'ok', body: tokenBody() });
    await timers.flush();
    release(); // the second tab gets the lock, sees fresh tokens, and does nothing
    const result = await other.refresh({});
    expect(result.kind).toBe('ok');
    expect(otherTransport.calls).toHaveLength(0);
  });
});
