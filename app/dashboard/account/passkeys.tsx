'use client';
/**
 * The account page's passkeys: add one (the browser's own prompt makes it), rename, delete. Adding
 * and deleting are sensitive actions: the page asks for re-authentication when it must.
 */
import { useState, type FormEvent } from 'react';
import useSWR from 'swr';
import type { PasskeysResponse, PasskeyView } from '@/lib/api/auth';
import { CLIENT_FAILURES } from '@/lib/api/errors';
import { PATHS, pathTo } from '@/lib/api/routes';
import { useAuth } from '@/lib/client/auth-provider';
import { formText } from '../../_components/form-text';
import { useApiAction } from '../../_components/use-api';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

export function Passkeys() {
  const { fetcher } = useAuth();
  const { data, mutate } = useSWR<PasskeysResponse, Error>(PATHS.passkeys, fetcher);
  const action = useApiAction();
  const [problem, setProblem] = useState('');

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = formText(new FormData(form), 'passkey_name') || 'Passkey';
    setProblem('');
    const options = await action.run(PATHS.passkeyOptions, { method: 'POST' });
    if (!options || options === true) return;
    let response: unknown;
    try {
      const { startRegistration } = await import('@simplewebauthn/browser');
      response = await startRegistration({
        optionsJSON: options as Parameters<typeof startRegistration>[0]['optionsJSON'],
      });
    } catch {
      setProblem(CLIENT_FAILURES.passkey_cancelled);
      return;
    }
    if (await action.run(PATHS.passkeys, { method: 'POST', body: { name, response } })) {
      form.reset();
      await mutate();
    }
  }

  async function rename(passkey: PasskeyView) {
    const name = window.prompt('A name for this passkey', passkey.name)?.trim();
    if (!name || name === passkey.name) return;
    if (await action.run(pathTo('passkey', { id: passkey.id }), { method: 'PATCH', body: { name } })) await mutate();
  }

  async function remove(passkey: PasskeyView) {
    if (!window.confirm(`Delete the passkey “${passkey.name}”? It will no longer sign you in.`)) return;
    if (await action.run(pathTo('passkey', { id: passkey.id }), { method: 'DELETE' })) await mutate();
  }

  if (data && !data.enabled) return null;
  return (
    <div data-testid="passkeys">
      <h2>Passkeys</h2>
      <p className="notice">
        A passkey signs you in with your device&apos;s screen lock or security key instead of a password; it works only
        on this site, so it cannot be phished.
      </p>
      <ul className="rows">
        {data?.passkeys.map((passkey) => (
          <li key={passkey.id} data-testid="passkey">
            <div>
              <strong>{passkey.name}</strong>
              {passkey.synced && <span className="badge">synced</span>}
              <div className="notice">
                added {when(passkey.createdAt)} · last used {when(passkey.lastUsedAt)}
              </div>
            </div>
            <div className="actions">
              <button type="button" disabled={action.pending} onClick={() => void rename(passkey)}>
                Rename
              </button>
              <button type="button" disabled={action.pending} onClick={() => void remove(passkey)}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      <form onSubmit={(event) => void add(event)} className="inline" noValidate>
        <label htmlFor="passkey_name">Name for a new passkey</label>
        <input id="passkey_name" name="passkey_name" placeholder="e.g. Laptop" maxLength={64} />
        <button className="primary" type="submit" disabled={action.pending} aria-busy={action.pending}>
          Add a passkey
        </button>
      </form>
      <p className="error" role="alert" aria-live="assertive" data-testid="passkey-error">
        {problem || action.error}
      </p>
    </div>
  );
}
