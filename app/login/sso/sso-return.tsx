'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SsoCallbackRequest } from '@/lib/api/sso';
import { safeNextPath } from '@/lib/api/safe-next';
import { useAuth } from '@/lib/client/auth-provider';
import { CodeField } from '../../_components/code-field';
import { formText } from '../../_components/form-text';

/** The provider's answer, as it put it on this page's address. */
function answerOf(query: URLSearchParams): SsoCallbackRequest | null {
  const state = query.get('state');
  if (!state) return null;
  const answer: SsoCallbackRequest = { state };
  for (const name of ['code', 'iss', 'error', 'error_description'] as const) {
    const value = query.get(name);
    if (value !== null) answer[name] = value;
  }
  return answer;
}

/**
 * Hands the identity provider's answer to the API, once, and moves on: to `next` after a sign-in
 * (after this account's authenticator code, when it has one), back to the account page after a
 * link or a re-authentication.
 */
export function SsoReturn() {
  const { status, completeSso, completeSignIn } = useAuth();
  const router = useRouter();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Set when the provider signed the user in but this account also asks for its authenticator app.
  const [codeStep, setCodeStep] = useState<{ mfaToken: string; next: string | null } | null>(null);
  const done = useRef(false);

  useEffect(() => {
    if (status === 'loading' || done.current) return;
    done.current = true;
    const answer = answerOf(new URLSearchParams(window.location.search));
    // The code is single use, but it need not stay in the history or be re-sent on reload.
    window.history.replaceState(null, '', '/login/sso');
    if (answer === null) {
      // Nothing to finish here: an address typed or bookmarked (an effect: the query is only read now).
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setError('There is nothing to finish here. Start from the sign-in page.');
      return;
    }
    void completeSso(answer).then((finished) => {
      if (!finished.ok) {
        if (finished.mfaToken) setCodeStep({ mfaToken: finished.mfaToken, next: finished.next ?? null });
        else setError(finished.failure.message);
        return;
      }
      const origin = window.location.origin;
      if (finished.intent === 'sign_in') router.replace(safeNextPath(finished.next, origin));
      else router.replace(safeNextPath(finished.next ?? '/dashboard/account', origin));
    });
  }, [status, completeSso, router]);

  async function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!codeStep) return;
    setBusy(true);
    setError('');
    const result = await completeSignIn(codeStep.mfaToken, formText(new FormData(event.currentTarget), 'code'));
    setBusy(false);
    if (result.ok) router.replace(safeNextPath(codeStep.next, window.location.origin));
    else setError(result.failure.message);
  }

  if (codeStep) {
    return (
      <form className="card login" onSubmit={(event) => void onCode(event)} aria-describedby="sso-code-hint" noValidate>
        <h1>Two-step verification</h1>
        <p id="sso-code-hint" className="notice">
          You are signed in at your identity provider. This account also needs a code from its authenticator app (or a
          recovery code).
        </p>
        <CodeField hintId="sso-code-hint" />
        <p className="error" role="alert">
          {error}
        </p>
        <button className="primary" type="submit" disabled={busy} aria-busy={busy}>
          {busy ? 'Verifying…' : 'Verify'}
        </button>
        <Link href="/login">Start over</Link>
      </form>
    );
  }

  return (
    <div className="card login" role="status" aria-live="polite" data-testid="sso-return">
      {error ? (
        <>
          <h1>Sign-in did not complete</h1>
          <p className="error" role="alert">
            {error}
          </p>
          <Link href="/login">Back to sign-in</Link>
        </>
      ) : (
        <p>Signing you in…</p>
      )}
    </div>
  );
}
