'use client';
import { useEffect, useState } from 'react';
import type { SsoStatus } from '@/lib/api/sso';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';

/** What this server offers of single sign-on (null until known, or when it cannot be asked). */
export function useSsoStatus(): SsoStatus | null {
  const [status, setStatus] = useState<SsoStatus | null>(null);
  useEffect(() => {
    let live = true;
    fetch(PATHS.ssoStatus, { cache: 'no-store' })
      .then((response) => (response.ok ? (response.json() as Promise<SsoStatus>) : null))
      .then((body) => {
        if (live) setStatus(body);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return status;
}

/** "Sign in with <provider>": off to the identity provider, back on /login/sso. */
export function SingleSignOn({
  status,
  next,
  disabled,
}: {
  status: SsoStatus;
  next: string | null;
  disabled: boolean;
}) {
  const { startSso } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const name = status.name ?? 'your identity provider';
  if (!status.available) {
    return (
      <p className="notice" role="status" data-testid="sso-unavailable">
        Signing in with {name} is unavailable right now. Try again later.
      </p>
    );
  }
  async function go() {
    setError('');
    setBusy(true);
    const started = await startSso('sign_in', next);
    if (started.ok) {
      window.location.assign(started.url);
      return;
    }
    setError(started.failure.message);
    setBusy(false);
  }
  return (
    <div className="sso">
      <button
        type="button"
        className="primary sso"
        onClick={() => void go()}
        disabled={disabled || busy}
        aria-busy={busy}
      >
        {busy ? `Going to ${name}…` : `Sign in with ${name}`}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
