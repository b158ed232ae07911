'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { userMessage } from '@/lib/api/errors';
import type { Failure, Outcome } from '@/lib/client/auth-client';
import { useAuth } from '@/lib/client/auth-provider';
import { safeNextPath } from '@/lib/api/safe-next';
import { CodeField } from '../_components/code-field';
import { restoreLooksLikeALoop } from './restore-loop';
import { SingleSignOn, useSsoStatus } from './single-sign-on';

type Phase = 'checking' | 'restoring' | 'form' | 'submitting' | 'leaving';

export function LoginForm() {
  const auth = useAuth();
  const router = useRouter();
  const requested = useSearchParams().get('next');
  // Decided when we navigate, against this page's origin (see lib/api/safe-next.ts).
  const next = useCallback(() => safeNextPath(requested, window.location.origin), [requested]);
  const [phase, setPhase] = useState<Phase>('checking');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  // Set once the password was right for an account with an authenticator app: the code step.
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const started = useRef(false);
  const waitingForRetry = useRef(false);
  const { status, restore, hasStoredSession, expiresAt, endedBecause } = auth;
  const sso = useSsoStatus();
  // OIDC_ONLY: the password form is for break-glass administrators, behind a link.
  const [localSignIn, setLocalSignIn] = useState(false);

  // Arriving with a usable refresh token (reload after expiry, a new tab): continue silently.
  useEffect(() => {
    if (status === 'loading' || started.current) return;
    started.current = true;
    if (!hasStoredSession()) {
      // Storage can only be read in the browser, after the auth client is ready: hence an effect.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setPhase('form');
      return;
    }
    if (restoreLooksLikeALoop()) {
      setNotice(
        'You are signed in, but this browser did not keep the session cookie. If the site is served over plain HTTP, ask your administrator about COOKIE_SECURE.',
      );
      setPhase('form');
      return;
    }
    setPhase('restoring');
    void restore().then((result) => {
      if (result.kind === 'ok') {
        setPhase('leaving');
        router.replace(next());
      } else if (result.kind === 'transient') {
        waitingForRetry.current = true;
        setNotice('Cannot reach the server to restore your session; still trying…');
        setPhase('form');
      } else {
        setPhase('form');
      }
    });
  }, [status, restore, hasStoredSession, router, next]);

  // Passkey autofill (WebAuthn conditional mediation): the browser offers this site's passkeys in
  // the username field's suggestions; choosing one signs in without a password.
  const offering = useRef(false);
  useEffect(() => {
    if (phase !== 'form' || mfaToken || offering.current || !auth.settings.passkeys) return;
    offering.current = true;
    void (async () => {
      const { browserSupportsWebAuthnAutofill } = await import('@simplewebauthn/browser');
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const failure = finish(await auth.signInWithPasskey(true));
      if (!failure) return;
      // Given way to the passkey button's prompt: offered again once the form is back. Any other
      // failure is shown, and not retried by itself (the person can choose again or use the button).
      if (failure.code === 'passkey_cancelled') offering.current = false;
      else setError(failure.message);
    })();
  });

  // A background retry of the restore succeeded: continue.
  useEffect(() => {
    if (waitingForRetry.current && status === 'authenticated' && expiresAt && expiresAt > Date.now()) {
      waitingForRetry.current = false;
      setPhase('leaving');
      router.replace(next());
    }
  }, [status, expiresAt, router, next]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError('');
    setPhase('submitting');
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    const result = mfaToken
      ? await auth.completeSignIn(mfaToken, text('code'))
      : await auth.signIn(text('username'), text('password'));
    if (result.ok) {
      setPhase('leaving');
      router.replace(next());
      return;
    }
    // Still (or now) at the code step; anything else starts over with the password.
    setMfaToken(result.mfaToken ?? null);
    setError(result.failure.code === 'mfa_required' ? '' : result.failure.message);
    setPhase('form');
  }

  /** Leaves for the dashboard after a sign-in; otherwise the failure to show. */
  function finish(result: Outcome): Failure | null {
    if (result.ok) {
      setPhase('leaving');
      router.replace(next());
      return null;
    }
    return result.failure;
  }

  async function withPasskey() {
    setError('');
    setPhase('submitting');
    const failure = finish(await auth.signInWithPasskey());
    if (failure) {
      setError(failure.message);
      setPhase('form');
    }
  }

  function startOver() {
    setMfaToken(null);
    setError('');
  }

  if (phase === 'checking' || phase === 'restoring' || phase === 'leaving') {
    return (
      <div className="card login" role="status" aria-live="polite" data-testid="restoring">
        <p>{phase === 'checking' ? 'Loading…' : 'Restoring your session…'}</p>
      </div>
    );
  }

  const busy = phase === 'submitting';
  if (mfaToken) {
    return (
      <form className="card login" onSubmit={onSubmit} aria-describedby="login-error code-hint" noValidate>
        <h1>Two-step verification</h1>
        <CodeField />
        <p id="code-hint" className="notice">
          Enter the 6-digit code from your authenticator app, or one of your recovery codes.
        </p>
        <p id="login-error" className="error" aria-live="assertive" role="alert">
          {error}
        </p>
        <button className="primary" type="submit" disabled={busy} aria-busy={busy}>
          {busy ? 'Verifying…' : 'Verify'}
        </button>
        <button type="button" className="link" onClick={startOver} disabled={busy}>
          Start over
        </button>
      </form>
    );
  }
  const ended = (notice || endedBecause) && (
    <p className="notice" role="status">
      {notice || userMessage({ code: endedBecause }, { context: 'ended' })}
    </p>
  );
  if (sso?.only && !localSignIn) {
    return (
      <div className="card login">
        <h1>Sign in</h1>
        {ended}
        <SingleSignOn status={sso} next={requested} disabled={busy} />
        <button type="button" className="link" onClick={() => setLocalSignIn(true)}>
          Administrator sign-in with a password
        </button>
      </div>
    );
  }
  return (
    <form className="card login" onSubmit={onSubmit} aria-describedby="login-error" noValidate>
      <h1>Sign in</h1>
      {ended}
      {sso?.enabled && <SingleSignOn status={sso} next={requested} disabled={busy} />}
      <label htmlFor="username">Username</label>
      <input
        id="username"
        name="username"
        autoComplete="username webauthn"
        autoCapitalize="none"
        spellCheck={false}
        required
      />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <p id="login-error" className="error" aria-live="assertive" role="alert">
        {error}
      </p>
      <button className="primary" type="submit" disabled={busy} aria-busy={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {auth.settings.mail && (
        <Link href="/login/forgot" className="forgot">
          Forgot your password?
        </Link>
      )}
      {auth.settings.passkeys && (
        <button type="button" className="passkey" onClick={() => void withPasskey()} disabled={busy}>
          Sign in with a passkey
        </button>
      )}
    </form>
  );
}
