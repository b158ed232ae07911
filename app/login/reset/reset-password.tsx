'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useAuth } from '@/lib/client/auth-provider';
import { CodeField } from '../../_components/code-field';
import { formText } from '../../_components/form-text';
import { NewPasswordFields } from '../../_components/new-password-fields';
import { useLinkToken } from '../use-link-token';

/** The page a reset link opens: a new password, then this browser is signed in (or asked for its code). */
export function ResetPassword() {
  const { resetPassword, completeSignIn } = useAuth();
  const router = useRouter();
  const token = useLinkToken();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError('');
    if (!mfaToken && formText(data, 'new_password') !== formText(data, 'confirm_password')) {
      setError('The new password and its confirmation differ.');
      return;
    }
    setPending(true);
    const result = mfaToken
      ? await completeSignIn(mfaToken, formText(data, 'code'))
      : await resetPassword(token ?? '', formText(data, 'new_password'));
    setPending(false);
    if (result.ok) {
      router.replace('/dashboard');
      return;
    }
    if (result.mfaToken) setMfaToken(result.mfaToken);
    setError(result.failure.code === 'mfa_required' ? '' : result.failure.message);
  }

  return (
    <div className="card login" data-testid="reset-password">
      <h1>{mfaToken ? 'Two-step verification' : 'Choose a new password'}</h1>
      <form onSubmit={(event) => void onSubmit(event)} aria-describedby="reset-error" noValidate>
        {mfaToken ? (
          <>
            <p className="notice">
              Your password is changed. This account also needs a code from its authenticator app (or a recovery code).
            </p>
            <CodeField />
          </>
        ) : (
          <>
            <NewPasswordFields />
          </>
        )}
        <p id="reset-error" className="error" role="alert">
          {token === '' ? 'This page needs the link from the mail. Ask for a new one.' : error}
        </p>
        <button className="primary" type="submit" disabled={pending || !token} aria-busy={pending}>
          {pending ? 'Saving…' : mfaToken ? 'Verify' : 'Set the new password'}
        </button>
      </form>
      <p className="notice">Every other session of the account is signed out.</p>
      <Link href="/login/forgot">Ask for a new link</Link>
    </div>
  );
}
