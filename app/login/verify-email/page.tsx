'use client';
import Link from 'next/link';
import type { EmailVerified } from '@/lib/api/mail';
import { PATHS } from '@/lib/api/routes';
import { useFollowedLink } from '../use-link-token';

/** The page a verification link opens: the address is confirmed once the page posts the token. */
export default function VerifyEmailPage() {
  const outcome = useFollowedLink<EmailVerified>(PATHS.emailVerify);
  return (
    <main>
      <div className="card login" role="status" aria-live="polite" data-testid="verify-email">
        <h1>Confirm your e-mail address</h1>
        {outcome === null && <p>Confirming…</p>}
        {outcome?.ok === true && <p className="notice">{outcome.body.email} is confirmed for your account.</p>}
        {outcome?.ok === false && <p className="error">{outcome.message}</p>}
        <Link href="/dashboard/account">Go to your account</Link>
      </div>
    </main>
  );
}
