'use client';
import { useCallback, useState } from 'react';
import { useAuth } from '@/lib/client/auth-provider';
import { ApiError, asksForReauthentication, SignedOutError } from '@/lib/client/auth-fetch';
import { useReauthentication } from './reauth';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { jsonOrNull } from '@/lib/client/http';

type Problem = { code?: string; detail?: string };

/**
 * A mutation against our API with pending state and a readable error. A sensitive action that
 * asks for re-authentication gets it in place (reauth.tsx) and is retried once.
 */
export function useApiAction() {
  const { authFetch } = useAuth();
  const reauthenticate = useReauthentication();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');

  const run = useCallback(
    async (path: string, init: { method: string; body?: unknown }): Promise<unknown> => {
      setPending(true);
      setError('');
      try {
        const send = () =>
          authFetch(path, {
            method: init.method,
            ...(init.body === undefined
              ? {}
              : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
          });
        let response = await send();
        if (asksForReauthentication(response) && (await reauthenticate())) response = await send();
        const body = await jsonOrNull(response);
        if (!response.ok) throw new ApiError(response.status, body as Problem | null);
        return body ?? true;
      } catch (caught) {
        if (caught instanceof SignedOutError) return null;
        setError(caught instanceof ApiError ? userMessage(caught.problem) : CLIENT_FAILURES.network);
        return null;
      } finally {
        setPending(false);
      }
    },
    [authFetch, reauthenticate],
  );

  return { run, pending, error };
}
