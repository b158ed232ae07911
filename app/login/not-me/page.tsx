'use client';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import type { NotMeResponse } from '@/lib/api/mail';
import { PATHS } from '@/lib/api/routes';
import { jsonOrNull } from '@/lib/client/http';
import { useLinkToken } from '../use-link-token';

/** "This wasn't me" from a new-device alert: that session ends, then a password reset is offered. */
export default function NotMePage() {
  const token = useLinkToken();
  const [ended, setEnded] = useState<NotMeResponse | null>(null);
  const [error, setError] = useState('');
  const [resetSent, setResetSent] = useState(false);
  const sent = useRef(false);

  useEffect(() => {
    if (token === null || sent.current) return;
    sent.current = true;
    void (async () => {
      try {
        const response = await fetch(PATHS.notMe, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        });
        const body = await jsonOrNull(response);
        if (response.ok) setEnded(body as NotMeResponse);
        else setError(userMessage(body as { code?: string } | null));
      } catch {
        setError(CLIENT_FAILURES.network);
      }
    })();
  }, [token]);

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
        {error && <p className="error">{error}</p>}
        {!error && !ended && <p>Ending that session…</p>}
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
