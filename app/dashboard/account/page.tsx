'use client';
import { useState, type FormEvent } from 'react';
import { useAuth } from '@/lib/client/auth-provider';
import { formText } from '../../_components/form-text';
import { NewPasswordFields } from '../../_components/new-password-fields';
import { useReauthentication } from '../../_components/reauth';
import { EmailAddress } from './email';
import { Identities, useIdentities } from './identities';
import { Passkeys } from './passkeys';
import { TwoStepVerification } from './two-step';

export default function AccountPage() {
  const { user, changePassword } = useAuth();
  const reauthenticate = useReauthentication();
  const { data: ways } = useIdentities();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => formText(data, name);
    setError('');
    setDone(false);
    if (text('new_password') !== text('confirm_password')) {
      setError('The new password and its confirmation differ.');
      return;
    }
    setPending(true);
    let result = await changePassword(text('current_password'), text('new_password'));
    // Signed in too long ago: confirm it is you, then the change is tried once more.
    if (!result.ok && result.failure.code === 'reauthentication_required' && (await reauthenticate())) {
      result = await changePassword(text('current_password'), text('new_password'));
    }
    setPending(false);
    if (result.ok) {
      form.reset();
      setDone(true);
    } else {
      setError(result.failure.message);
    }
  }

  return (
    <section className="card">
      <h1>Account</h1>
      <p>
        Signed in as <strong>{user?.username}</strong>.
      </p>
      {ways && !ways.password ? (
        <p className="notice" data-testid="no-password">
          This account has no password: it signs in through{' '}
          {ways.identities[0]?.provider ?? ways.provider?.name ?? 'its identity provider'} or with a passkey. An
          administrator can set one.
        </p>
      ) : (
        <>
          <h2>Change your password</h2>
          <form onSubmit={onSubmit} aria-describedby="password-rules password-error" noValidate>
            <label htmlFor="current_password">Current password</label>
            <input
              id="current_password"
              name="current_password"
              type="password"
              autoComplete="current-password"
              required
            />
            <NewPasswordFields />
            <p id="password-error" className="error" role="alert" aria-live="assertive">
              {error}
            </p>
            {done && (
              <p className="notice" role="status" data-testid="password-changed">
                Password changed. Every other session has been signed out; this one continues.
              </p>
            )}
            <button className="primary" type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Changing…' : 'Change password'}
            </button>
          </form>
        </>
      )}
      <EmailAddress />
      <Identities />
      <Passkeys />
      <TwoStepVerification />
    </section>
  );
}
