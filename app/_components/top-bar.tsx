'use client';
import { useState } from 'react';
import { useAuth } from '@/lib/client/auth-provider';

export function TopBar() {
  const { user, reconnecting, signOut } = useAuth();
  const [leaving, setLeaving] = useState(false);
  return (
    <>
      {reconnecting && (
        <div className="banner" role="status" aria-live="polite" data-testid="reconnecting">
          Connection problem — reconnecting… You are still signed in.
        </div>
      )}
      <header className="top">
        <strong>Stay signed in</strong>
        <span>
          {user && (
            <span data-testid="signed-in-as">
              {user.username} <span className="notice">({user.role})</span>
            </span>
          )}{' '}
          <button
            type="button"
            disabled={leaving}
            onClick={() => {
              setLeaving(true);
              void signOut().then((providerLogout) => {
                // A single sign-on session: sign out at the identity provider too.
                if (providerLogout) window.location.assign(providerLogout);
              });
            }}
          >
            Sign out
          </button>
        </span>
      </header>
    </>
  );
}
