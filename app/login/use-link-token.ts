'use client';
import { useEffect, useRef, useState } from 'react';
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

/**
 * Posts the link's token to `path` once, as soon as it is read: what the API answered, or the
 * message to show (null while it is on its way).
 */
export function useFollowedLink<T>(path: string): LinkOutcome<T> | null {
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<LinkOutcome<T> | null>(null);
  const sent = useRef(false);
  useEffect(() => {
    if (token === null || sent.current) return;
    sent.current = true;
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
      }
    })();
  }, [token, path]);
  return outcome;
}
