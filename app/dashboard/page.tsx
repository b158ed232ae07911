'use client';
import useSWR from 'swr';
import type { MeResponse } from '@/lib/api/auth';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { Countdown } from '../_components/countdown';

export default function DashboardPage() {
  const { fetcher, expiresAt, refreshExpiresAt, settings } = useAuth();
  // Polls the session, so one revoked elsewhere is noticed within sessionCheckSeconds.
  const { data, error, isLoading, mutate } = useSWR<MeResponse, Error>(PATHS.me, fetcher, {
    refreshInterval: settings.sessionCheckSeconds * 1000,
    revalidateOnFocus: true,
    shouldRetryOnError: true,
  });

  return (
    <>
      <section className="card">
        <h1>Dashboard</h1>
        {isLoading && <p className="notice">Loading your account…</p>}
        {error && !data && (
          <p className="error" role="alert">
            Could not load your account right now; retrying.
          </p>
        )}
        {data && (
          <dl data-testid="account">
            <dt>Signed in as</dt>
            <dd data-testid="username">{data.username}</dd>
            <dt>Role</dt>
            <dd>{data.role}</dd>
            <dt>Signed in at</dt>
            <dd>{new Date(data.session.createdAt).toLocaleString()}</dd>
            <dt>Session ends</dt>
            <dd>{new Date(data.session.expiresAt).toLocaleString()} at the latest</dd>
          </dl>
        )}
      </section>
      <section className="card">
        <h2>Staying signed in</h2>
        <dl>
          <dt>Access token expires</dt>
          <dd>
            <Countdown until={expiresAt} testId="access-expires" /> (renewed automatically before then)
          </dd>
          <dt>Without any activity, sign-in lapses</dt>
          <dd>
            <Countdown until={refreshExpiresAt} testId="refresh-expires" />
          </dd>
        </dl>
        <p>
          <button type="button" onClick={() => void mutate()} data-testid="reload">
            Reload data
          </button>
        </p>
      </section>
    </>
  );
}
