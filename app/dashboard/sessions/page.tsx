'use client';
import useSWR from 'swr';
import type { SessionsResponse } from '@/lib/api/auth';
import { PATHS, pathTo } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { useApiAction } from '../../_components/use-api';

const when = (iso: string) => new Date(iso).toLocaleString();

export default function SessionsPage() {
  const { fetcher } = useAuth();
  const { data, error, mutate } = useSWR<SessionsResponse, Error>(PATHS.sessions, fetcher);
  const action = useApiAction();
  const others = data?.sessions.filter((session) => !session.current) ?? [];

  async function endSession(id: string) {
    if (await action.run(pathTo('session', { id }), { method: 'DELETE' })) await mutate();
  }

  async function endOthers() {
    if (await action.run(PATHS.revokeOthers, { method: 'POST' })) await mutate();
  }

  return (
    <section className="card">
      <h1>Where you are signed in</h1>
      <p className="notice">Ending a session signs that device out within seconds.</p>
      {error && !data && (
        <p className="error" role="alert">
          Could not load your sessions; retrying.
        </p>
      )}
      <p className="error" role="alert">
        {action.error}
      </p>
      {data && (
        <ul className="rows" data-testid="sessions">
          {data.sessions.map((session) => (
            <li key={session.id} data-testid="session" data-current={session.current}>
              <div>
                <strong>{session.device.label}</strong>
                {session.current && <span className="badge">This device</span>}
                <div className="notice">
                  {session.ip ? `${session.ip} · ` : ''}signed in{' '}
                  <span data-testid="session-method">with {session.method}</span> {when(session.createdAt)} · last
                  active {when(session.lastUsedAt)} · ends {when(session.expiresAt)}
                </div>
                <div className="notice" data-testid="session-binding">
                  {session.keyBound
                    ? 'Bound to a key in that browser: a copy of its sign-in is useless anywhere else.'
                    : 'Not bound to a browser key (this browser could not keep one, or the client does not support it): anyone holding a copy of its sign-in could use it.'}
                </div>
              </div>
              {!session.current && (
                <button type="button" disabled={action.pending} onClick={() => void endSession(session.id)}>
                  Sign out this session
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <button
          type="button"
          className="primary"
          disabled={action.pending}
          aria-busy={action.pending}
          onClick={() => void endOthers()}
        >
          {action.pending ? 'Signing out…' : 'Sign out everywhere else'}
        </button>
      )}
    </section>
  );
}
