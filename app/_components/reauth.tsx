'use client';
/**
 * Re-authentication in place: when a sensitive action answers 401 reauthentication_required, the
 * page asks for the password (or a code from the authenticator app) in a dialog, sends it to
 * /api/auth/reauthenticate, and the action is retried once. The session stays the same. With
 * single sign-on, the identity provider can confirm it instead: that leaves the page (and comes
 * back to it), so the action is then done again by hand.
 */
import { createContext, useCallback, useContext, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { CLIENT_FAILURES, userMessage } from '@/lib/api/errors';
import { PATHS } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { SSO_INTENT_KEY } from '@/lib/client/auth-client';
import { jsonOrNull } from '@/lib/client/http';
import { formText } from './form-text';

type Ask = () => Promise<boolean>;
const ReauthContext = createContext<Ask>(() => Promise.resolve(false));

/** Resolves true once the user re-authenticated, false when they cancelled. */
export function useReauthentication(): Ask {
  return useContext(ReauthContext);
}

/** Six digits or a recovery code (XXXX-XXXX-XXXX-XXXX): a code; anything else the password. */
function credentialOf(value: string): { code: string } | { password: string } {
  const trimmed = value.trim();
  const isCode = /^\d{3} ?\d{3}$/.test(trimmed) || /^[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3}$/.test(trimmed);
  return isCode ? { code: trimmed } : { password: value };
}

export function ReauthProvider({ children }: { children: ReactNode }) {
  const { authFetch, settings, startSso } = useAuth();
  const dialog = useRef<HTMLDialogElement>(null);
  const settle = useRef<((ok: boolean) => void) | null>(null);
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);

  const close = useCallback((ok: boolean) => {
    dialog.current?.close();
    settle.current?.(ok);
    settle.current = null;
  }, []);

  const ask = useCallback<Ask>(() => {
    settle.current?.(false);
    setError('');
    dialog.current?.showModal();
    return new Promise<boolean>((resolve) => {
      settle.current = resolve;
    });
  }, []);

  /** Sends a credential to /api/auth/reauthenticate; closes the dialog when it was accepted. */
  async function confirm(credential: unknown, form: HTMLFormElement | null) {
    setPending(true);
    setError('');
    try {
      const response = await authFetch(PATHS.reauthenticate, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credential),
      });
      if (response.ok) {
        form?.reset();
        close(true);
        return;
      }
      const problem = (await jsonOrNull(response)) as { code?: string } | null;
      const retryAfter = Number(response.headers.get('retry-after'));
      setError(userMessage(problem, { context: 'password', retryAfterSeconds: retryAfter > 0 ? retryAfter : null }));
    } catch {
      setError(CLIENT_FAILURES.network);
    } finally {
      setPending(false);
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    await confirm(credentialOf(formText(new FormData(form), 'credential')), form);
  }

  /** One of the user's own passkeys, for a challenge made for this re-authentication. */
  async function withPasskey() {
    setError('');
    try {
      const options = await authFetch(PATHS.reauthOptions, { method: 'POST' });
      if (!options.ok) {
        setError(userMessage((await jsonOrNull(options)) as { code?: string } | null));
        return;
      }
      const { startAuthentication } = await import('@simplewebauthn/browser');
      const optionsJSON = (await options.json()) as Parameters<typeof startAuthentication>[0]['optionsJSON'];
      await confirm({ passkey: await startAuthentication({ optionsJSON }) }, null);
    } catch {
      setError(CLIENT_FAILURES.passkey_cancelled);
    }
  }

  /** At the identity provider, which is asked to prompt again; back to this page afterwards. */
  async function withProvider() {
    setError('');
    setPending(true);
    const started = await startSso('reauth', window.location.pathname + window.location.search);
    if (started.ok) {
      window.location.assign(started.url);
      return;
    }
    window.sessionStorage.removeItem(SSO_INTENT_KEY);
    setError(started.failure.message);
    setPending(false);
  }

  return (
    <ReauthContext.Provider value={ask}>
      {children}
      <dialog ref={dialog} className="card reauth" aria-labelledby="reauth-title" onCancel={() => close(false)}>
        <form onSubmit={onSubmit} aria-describedby="reauth-hint reauth-error" noValidate>
          <h2 id="reauth-title">Confirm it is you</h2>
          <p id="reauth-hint" className="notice">
            This needs a recent sign-in. Enter your password, or a code from your authenticator app (or a recovery
            code), or use a passkey.
          </p>
          <label htmlFor="reauth-credential">Password or code</label>
          <input id="reauth-credential" name="credential" type="password" autoComplete="current-password" required />
          <p id="reauth-error" className="error" role="alert" aria-live="assertive">
            {error}
          </p>
          <div className="actions">
            <button className="primary" type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Checking…' : 'Confirm'}
            </button>
            {settings.passkeys && (
              <button type="button" onClick={() => void withPasskey()} disabled={pending}>
                Use a passkey
              </button>
            )}
            {settings.sso && (
              <button type="button" onClick={() => void withProvider()} disabled={pending}>
                Confirm with {settings.sso.name}
              </button>
            )}
            <button type="button" onClick={() => close(false)} disabled={pending}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </ReauthContext.Provider>
  );
}
