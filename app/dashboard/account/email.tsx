'use client';
/**
 * The account page's e-mail address: what it is and whether it is confirmed; a new one is used only
 * once the link sent to it is followed (a sensitive action: re-authentication first).
 */
import { useState, type FormEvent } from 'react';
import useSWR from 'swr';
import type { MeResponse } from '@/lib/api/auth';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { formText } from '../../_components/form-text';
import { useApiAction } from '../../_components/use-api';

export function EmailAddress() {
  const { fetcher } = useAuth();
  const { data } = useSWR<MeResponse, Error>(PATHS.me, fetcher);
  const action = useApiAction();
  const [pending, setPending] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const email = formText(new FormData(form), 'email').trim();
    if (await action.run(PATHS.email, { method: 'POST', body: { email } })) {
      form.reset();
      setPending(email);
    }
  }

  if (!data) return null;
  return (
    <div data-testid="email">
      <h2>E-mail address</h2>
      <p>
        {data.email ? (
          <>
            <strong data-testid="email-address">{data.email}</strong>{' '}
            {data.emailVerified ? (
              <span className="badge">confirmed</span>
            ) : (
              <span className="badge danger">not confirmed</span>
            )}
          </>
        ) : (
          <span className="notice">No address yet.</span>
        )}
      </p>
      {data.mail ? (
        <>
          <p className="notice">
            Used for a forgotten password and to tell you of sign-ins from new devices. Never shown to anyone else.
          </p>
          <form onSubmit={(event) => void onSubmit(event)} className="inline" noValidate>
            <label htmlFor="new-email">{data.email ? 'A new address' : 'Your address'}</label>
            <input id="new-email" name="email" type="email" autoComplete="email" required />
            <button className="primary" type="submit" disabled={action.pending} aria-busy={action.pending}>
              Send a link to confirm it
            </button>
          </form>
          {pending && (
            <p className="notice" role="status" data-testid="email-pending">
              A link is on its way to {pending}. The address is used once you follow it.
            </p>
          )}
          <p className="error" role="alert">
            {action.error}
          </p>
        </>
      ) : (
        <p className="notice">This server sends no mail; an administrator can set your address.</p>
      )}
    </div>
  );
}
