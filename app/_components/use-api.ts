'use client';
import { useCallback, useState } from 'react';
import { useAuth } from '@/lib/client/auth-provider';
import { ApiError, SignedOutError } from '@/lib/client/auth-fetch';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { jsonOrNull } from '@/lib/client/http';

type Problem = { code?: string; detail?: string };

/** A mutation against our API with pending state and a readable error. */
export function useApiAction() {
  const { authFetch } = useAuth();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');

  const run = useCallback(
    async (path: string, init: { method: string; body?: unknown }): Promise<unknown> => {
      setPending(true);
      setError('');
      try {
        const response = await authFetch(path, {
          method: init.method,
          ...(init.body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
        });
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
    [authFetch],
  );

  return { run, pending, error };
}
