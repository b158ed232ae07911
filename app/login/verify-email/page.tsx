'use client';
import Link from 'next/link';
import type { EmailVerified } from '@/lib/api/mail';
import { PATHS } from '@/lib/api/routes';
import { useFollowedLink } from '../use-link-token';

/** The page a verification link opens: the address is confirmed when its owner presses the button. */
export default function VerifyEmailPage() {
  const { token, outcome, busy, follow } = useFollowedLink<EmailVerified>(PATHS.emailVerify);
  return (
    <main>
      <div className="card login" role="status" aria-live="polite" data-testid="verify-email">
        <h1>Confirm your e-mail address</h1>
        {outcome === null && token === '' && (
          <p className="error">This page needs the link from the mail. Ask for a new one on your account page.</p>
        )}
        {outcome === null && token !== '' && (
          <>
            <p>Confirm only an address you asked for on your account page.</p>
            <button className="primary" type="button" onClick={follow} disabled={busy || !token} aria-busy={busy}>
              {busy ? 'Confirming…' : 'Confirm this address'}
            </button>
          </>
        )}
        {outcome?.ok === true && <p className="notice">{outcome.body.email} is confirmed for your account.</p>}
        {outcome?.ok === false && <p className="error">{outcome.message}</p>}
        <Link href="/dashboard/account">Go to your account</Link>
      </div>
    </main>
  );
}
