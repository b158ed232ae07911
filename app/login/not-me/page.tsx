'use client';
import Link from 'next/link';
import { useState } from 'react';
import { CLIENT_FAILURES } from '@/lib/api/errors';
import type { NotMeResponse } from '@/lib/api/mail';
import { PATHS } from '@/lib/api/routes';
import { useFollowedLink } from '../use-link-token';

/** "This wasn't me" from a new-device alert: that session ends (on a press), then a password reset is offered. */
export default function NotMePage() {
  const { token, outcome, busy, follow } = useFollowedLink<NotMeResponse>(PATHS.notMe);
  const [resetSent, setResetSent] = useState(false);
  const [error, setError] = useState('');
  const ended = outcome?.ok ? outcome.body : null;

  async function reset() {
    if (!ended) return;
    const response = await fetch(PATHS.passwordReset, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: ended.username }),
    }).catch(() => null);
    if (response?.status === 202) setResetSent(true);
    else setError(CLIENT_FAILURES.network);
  }

  return (
    <main>
      <div className="card login" role="status" aria-live="polite" data-testid="not-me">
        <h1>That wasn&apos;t you</h1>
        {outcome === null && token === '' && <p className="error">This page needs the link from the mail.</p>}
        {outcome === null && token !== '' && (
          <>
            <p>The sign-in the mail told you about will be signed out.</p>
            <button className="primary" type="button" onClick={follow} disabled={busy || !token} aria-busy={busy}>
              {busy ? 'Signing it out…' : 'Sign that session out'}
            </button>
          </>
        )}
        {outcome?.ok === false && <p className="error">{outcome.message}</p>}
        {error && <p className="error">{error}</p>}
        {ended && (
          <>
            <p className="notice">
              {ended.ended
                ? 'That session has ended: whoever signed in there is signed out.'
                : 'That session had already ended.'}{' '}
              If someone knows your password, change it now.
            </p>
            {resetSent ? (
              <p className="notice" data-testid="not-me-reset-sent">
                A link to choose a new password is on its way to your address.
              </p>
            ) : (
              <button className="primary" type="button" onClick={() => void reset()}>
                Send me a password-reset link
              </button>
            )}
          </>
        )}
        <Link href="/login">Go to sign-in</Link>
      </div>
    </main>
  );
}
