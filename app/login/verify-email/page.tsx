'use client';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { PATHS } from '@/lib/api/routes';
import { jsonOrNull } from '@/lib/client/http';
import { useLinkToken } from '../use-link-token';

/** The page a verification link opens: the address is confirmed once the page posts the token. */
export default function VerifyEmailPage() {
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const sent = useRef(false);

  useEffect(() => {
    if (token === null || sent.current) return;
    sent.current = true;
    void (async () => {
      try {
        const response = await fetch(PATHS.emailVerify, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        });
        const body = (await jsonOrNull(response)) as { email?: string; code?: string } | null;
        setOutcome(
          response.ok
            ? { ok: true, message: `${body?.email ?? 'Your address'} is confirmed for your account.` }
            : { ok: false, message: userMessage(body) },
        );
      } catch {
        setOutcome({ ok: false, message: CLIENT_FAILURES.network });
      }
    })();
  }, [token]);

  return (
    <main>
      <div className="card login" role="status" aria-live="polite" data-testid="verify-email">
        <h1>Confirm your e-mail address</h1>
        {outcome === null ? <p>Confirming…</p> : <p className={outcome.ok ? 'notice' : 'error'}>{outcome.message}</p>}
        <Link href="/dashboard/account">Go to your account</Link>
      </div>
    </main>
  );
}
