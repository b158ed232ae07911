'use client';
import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import useSWR from 'swr';
import { ApiError } from '@/lib/client/auth-fetch';
import { useAuth } from '@/lib/client/auth-provider';
import { PASSWORD_RULES, USERNAME_RULES } from '@/lib/api/account-rules';
import type { UserView, UsersResponse } from '@/lib/api/admin';
import { PATHS, pathTo } from '@/lib/api/routes';
import { formText } from '../../_components/form-text';
import { useReauthentication } from '../../_components/reauth';
import { useApiAction } from '../../_components/use-api';
import { MailStatus } from './mail-status';

type User = UserView;

function UserRow({ user, self, onChanged }: { user: User; self: boolean; onChanged: () => Promise<unknown> }) {
  const action = useApiAction();
  const [resetting, setResetting] = useState(false);

  async function change(body: Record<string, unknown>) {
    if (await action.run(pathTo('user', { id: user.id }), { method: 'PATCH', body })) await onChanged();
  }
  async function remove() {
    if (!window.confirm(`Delete ${user.username}? Their sessions end at once.`)) return;
    if (await action.run(pathTo('user', { id: user.id }), { method: 'DELETE' })) await onChanged();
  }
  async function resetSecondFactors() {
    if (!window.confirm(`Reset two-step verification for ${user.username}? Their sessions end at once.`)) return;
    if (await action.run(pathTo('userSecondFactors', { id: user.id }), { method: 'DELETE' })) await onChanged();
  }
  async function setEmail() {
    const typed = window.prompt(`E-mail address for ${user.username} (empty to remove it)`, user.email ?? '');
    if (typed === null) return;
    await change({ email: typed.trim() === '' ? null : typed.trim() });
  }
  async function reset(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = formText(new FormData(event.currentTarget), 'password');
    await change({ password });
    setResetting(false);
  }

  return (
    <li data-testid="user" data-username={user.username}>
      <div>
        <strong>{user.username}</strong> <span className="badge">{user.role}</span>
        {user.disabled && <span className="badge danger">disabled</span>}
        {user.secondFactor && <span className="badge">two-step</span>}
        {!user.hasPassword && <span className="badge">single sign-on</span>}
        {self && <span className="notice"> (you)</span>}
        {user.email && <div className="notice">{user.email}</div>}
        <p className="error" role="alert">
          {action.error}
        </p>
        {resetting && (
          <form onSubmit={reset} className="inline">
            <label htmlFor={`reset-${user.id}`}>New password for {user.username}</label>
            <input id={`reset-${user.id}`} name="password" type="password" autoComplete="new-password" required />
            <button type="submit" disabled={action.pending}>
              Set password
            </button>
          </form>
        )}
      </div>
      <div className="actions">
        <button type="button" disabled={action.pending} onClick={() => void change({ disabled: !user.disabled })}>
          {user.disabled ? 'Enable' : 'Disable'}
        </button>
        <button
          type="button"
          disabled={action.pending}
          onClick={() => void change({ role: user.role === 'admin' ? 'user' : 'admin' })}
        >
          {user.role === 'admin' ? 'Make user' : 'Make admin'}
        </button>
        <button type="button" disabled={action.pending} onClick={() => setResetting((open) => !open)}>
          Reset password
        </button>
        <button type="button" disabled={action.pending} onClick={() => void setEmail()}>
          E-mail
        </button>
        {user.secondFactor && (
          <button type="button" disabled={action.pending} onClick={() => void resetSecondFactors()}>
            Reset two-step
          </button>
        )}
        <button type="button" disabled={action.pending} onClick={() => void remove()}>
          Delete
        </button>
      </div>
    </li>
  );
}

/** MFA_REQUIRED_FOR_ADMINS, with a factor set up: this session must confirm it first. */
function mustConfirm(error: Error): boolean {
  return error instanceof ApiError && error.problem?.code === 'reauthentication_required';
}

/** MFA_REQUIRED_FOR_ADMINS: the list is refused until this administrator has a second factor. */
function mustEnrol(error: Error): boolean {
  return error instanceof ApiError && error.problem?.code === 'mfa_enrollment_required';
}

export default function UsersPage() {
  const { fetcher, user: me, settings } = useAuth();
  const [search, setSearch] = useState('');
  const key = `${PATHS.users}${search ? `?search=${encodeURIComponent(search)}` : ''}`;
  const { data, error, mutate } = useSWR<UsersResponse, Error & { status?: number }>(key, fetcher);
  const create = useApiAction();
  const reauthenticate = useReauthentication();

  async function confirmThenReload() {
    if (await reauthenticate()) await mutate();
  }

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const password = formText(data, 'password');
    const email = formText(data, 'email').trim();
    const body = {
      username: formText(data, 'username'),
      // With single sign-on, an account may have no password: it signs in through the provider.
      ...(password !== '' || !settings.sso ? { password } : {}),
      ...(email !== '' ? { email } : {}),
      role: data.get('admin') ? 'admin' : 'user',
    };
    if (await create.run(PATHS.users, { method: 'POST', body })) {
      form.reset();
      await mutate();
    }
  }

  if (me && me.role !== 'admin') {
    return (
      <section className="card">
        <h1>Users</h1>
        <p className="error">Only administrators manage users.</p>
      </section>
    );
  }

  return (
    <>
      <section className="card">
        <h1>Users</h1>
        <label htmlFor="user-search">Search</label>
        <input id="user-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        {error && !data && mustEnrol(error) && (
          <p className="error" role="alert" data-testid="enrol-first">
            Administrators here must use two-step verification.{' '}
            <Link href="/dashboard/account">Set up a passkey or an authenticator app</Link> first.
          </p>
        )}
        {error && !data && mustConfirm(error) && (
          <p className="error" role="alert" data-testid="confirm-first">
            Administrators here confirm with their second factor once per sign-in.{' '}
            <button type="button" onClick={() => void confirmThenReload()}>
              Confirm it is you
            </button>
          </p>
        )}
        {error && !data && !mustEnrol(error) && !mustConfirm(error) && (
          <p className="error" role="alert">
            Could not load the users.
          </p>
        )}
        <ul className="rows" data-testid="users">
          {data?.users.map((user) => (
            <UserRow key={user.id} user={user} self={user.id === me?.id} onChanged={() => mutate()} />
          ))}
        </ul>
      </section>
      <MailStatus />
      <section className="card">
        <h2>Add a user</h2>
        <form onSubmit={onCreate} aria-describedby="new-username-rules new-user-rules" noValidate>
          <label htmlFor="new-username">Username</label>
          <input id="new-username" name="username" autoComplete="off" aria-describedby="new-username-rules" required />
          <ul id="new-username-rules" className="notice">
            {USERNAME_RULES.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
          </ul>
          <label htmlFor="new-password">
            Password{settings.sso ? ' (leave empty: signs in with ' + settings.sso.name + ')' : ''}
          </label>
          <input
            id="new-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required={!settings.sso}
          />
          <ul id="new-user-rules" className="notice">
            {PASSWORD_RULES.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
          </ul>
          <label htmlFor="new-email">E-mail address (optional)</label>
          <input id="new-email" name="email" type="email" autoComplete="off" />
          <label className="checkbox">
            <input name="admin" type="checkbox" /> Administrator
          </label>
          <p className="error" role="alert">
            {create.error}
          </p>
          <button className="primary" type="submit" disabled={create.pending} aria-busy={create.pending}>
            {create.pending ? 'Adding…' : 'Add user'}
          </button>
        </form>
      </section>
    </>
  );
}
