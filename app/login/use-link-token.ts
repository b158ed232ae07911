'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { jsonOrNull } from '@/lib/client/http';

/**
 * The token of the link a mail opened this page with (`?token=`), read once and taken out of the
 * address bar and the history: null until read, '' when there is none.
 */
export function useLinkToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    const value = url.searchParams.get('token') ?? '';
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search);
    // Only the browser has the address: hence an effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setToken(value);
  }, []);
  return token;
}

export type LinkOutcome<T> = { ok: true; body: T } | { ok: false; message: string };

export type FollowedLink<T> = {
  /** The link's token: null until read, '' when the page was opened without one. */
  token: string | null;
  /** What the API answered, or the message to show; null until followed. */
  outcome: LinkOutcome<T> | null;
  busy: boolean;
  /** Posts the token to the API, once. */
  follow: () => void;
};

/**
 * A mailed link's action, taken only when the person presses the page's button: mail scanners
 * and link previews open links (and may run their scripts), and must not confirm an address or
 * end a session on their own.
 */
export function useFollowedLink<T>(path: string): FollowedLink<T> {
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<LinkOutcome<T> | null>(null);
  const [busy, setBusy] = useState(false);
  const sent = useRef(false);
  const follow = useCallback(() => {
    if (!token || sent.current) return;
    sent.current = true;
    setBusy(true);
    void (async () => {
      try {
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        });
        const body = await jsonOrNull(response);
        setOutcome(
          response.ok
            ? { ok: true, body: body as T }
            : { ok: false, message: userMessage(body as { code?: string } | null) },
        );
      } catch {
        setOutcome({ ok: false, message: CLIENT_FAILURES.network });
      } finally {
        setBusy(false);
      }
    })();
  }, [token, path]);
  return { token, outcome, busy, follow };
}
