'use client';
/**
 * New-device sign-ins of this account since this session began (GET /api/auth/me, which every
 * dashboard page polls): shown until dismissed, with a way to end that session if it was not you.
 */
import { useState } from 'react';
import useSWR from 'swr';
import type { MeResponse } from '@/lib/api/auth';
import { PATHS, pathTo } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { useApiAction } from './use-api';

const DISMISSED_KEY = 'staysignedin.dismissed-alerts';

function dismissed(): number[] {
  try {
    return JSON.parse(window.localStorage.getItem(DISMISSED_KEY) ?? '[]') as number[];
  } catch {
    return [];
  }
}

export function DeviceAlerts() {
  const { fetcher, status, settings } = useAuth();
  const { data } = useSWR<MeResponse, Error>(status === 'authenticated' ? PATHS.me : null, fetcher, {
    refreshInterval: settings.sessionCheckSeconds * 1000,
  });
  const action = useApiAction();
  const [hidden, setHidden] = useState<number[]>(() => (typeof window === 'undefined' ? [] : dismissed()));
  const [ended, setEnded] = useState<string[]>([]);
  const shown = (data?.alerts ?? []).filter((alert) => !hidden.includes(alert.id));
  if (shown.length === 0) return null;

  function dismiss(id: number) {
    const next = [...hidden, id];
    window.localStorage.setItem(DISMISSED_KEY, JSON.stringify(next.slice(-50)));
    setHidden(next);
  }

  async function endIt(sessionId: string) {
    if (await action.run(pathTo('session', { id: sessionId }), { method: 'DELETE' })) setEnded([...ended, sessionId]);
  }

  return (
    <section className="card alert" role="status" data-testid="device-alerts">
      {shown.map((alert) => (
        <div key={alert.id} className="row" data-testid="device-alert">
          <p>
            New sign-in to your account: <strong>{alert.device}</strong>
            {alert.ip && <> from {alert.ip}</>} at {new Date(alert.at).toLocaleString()}.
          </p>
          <div className="actions">
            {alert.sessionId && !ended.includes(alert.sessionId) && (
              <button type="button" disabled={action.pending} onClick={() => void endIt(alert.sessionId!)}>
                This wasn&apos;t me: end it
              </button>
            )}
            {alert.sessionId && ended.includes(alert.sessionId) && (
              <span className="notice">That session has ended.</span>
            )}
            <button type="button" onClick={() => dismiss(alert.id)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
      {action.error && <p className="error">{action.error}</p>}
    </section>
  );
}
