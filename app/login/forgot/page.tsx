'use client';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { PATHS } from '@/lib/api/routes';
import { jsonOrNull } from '@/lib/client/http';
import { formText } from '../../_components/form-text';

/** "Forgot your password?": a username or an address; the same answer whether or not it exists. */
export default function ForgotPasswordPage() {
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError('');
    setPending(true);
    try {
      const response = await fetch(PATHS.passwordReset, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: formText(new FormData(event.currentTarget), 'login') }),
      });
      if (response.status === 202) setSent(true);
      else {
        const retryAfter = Number(response.headers.get('retry-after'));
        setError(
          userMessage((await jsonOrNull(response)) as { code?: string } | null, {
            retryAfterSeconds: retryAfter || null,
          }),
        );
      }
    } catch {
      setError(CLIENT_FAILURES.network);
    } finally {
      setPending(false);
    }
  }

  return (
    <main>
      <div className="card login">
        <h1>Forgot your password?</h1>
        {sent ? (
          <p className="notice" role="status" data-testid="reset-sent">
            If an account with that name or address has a confirmed e-mail address, a link to choose a new password is
            on its way. It works once, for a short while.
          </p>
        ) : (
          <form onSubmit={(event) => void onSubmit(event)} aria-describedby="forgot-error" noValidate>
            <label htmlFor="login">Username or e-mail address</label>
            <input id="login" name="login" autoComplete="username" autoCapitalize="none" spellCheck={false} required />
            <p id="forgot-error" className="error" role="alert">
              {error}
            </p>
            <button className="primary" type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Sending…' : 'Send me a link'}
            </button>
          </form>
        )}
        <Link href="/login">Back to sign-in</Link>
      </div>
    </main>
  );
}
