'use client';
import { useEffect, useState } from 'react';

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
