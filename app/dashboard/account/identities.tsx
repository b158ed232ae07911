'use client';
/**
 * The account page's single sign-on: the identities at the identity provider this account is
 * linked to, linking one (off to the provider and back; a sensitive action) and unlinking (also
 * sensitive, and refused for the account's last way in).
 */
import useSWR from 'swr';
import type { IdentitiesResponse, IdentityView, SsoStartResponse } from '@/lib/api/sso';
import { PATHS, pathTo } from '@/lib/api/routes';
import { SSO_INTENT_KEY } from '@/lib/client/auth-client';
import { useAuth } from '@/lib/client/auth-provider';
import { useApiAction } from '../../_components/use-api';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

export function useIdentities() {
  const { fetcher } = useAuth();
  return useSWR<IdentitiesResponse, Error>(PATHS.identities, fetcher);
}

export function Identities() {
  const { data, mutate } = useIdentities();
  const action = useApiAction();

  async function link() {
    const started = (await action.run(PATHS.identityLink, {
      method: 'POST',
      body: { next: '/dashboard/account' },
    })) as SsoStartResponse | null;
    if (!started || typeof started !== 'object') return;
    // The provider sends this tab back to /login/sso, which finishes the link in this session.
    window.sessionStorage.setItem(SSO_INTENT_KEY, 'link');
    window.location.assign(started.authorization_url);
  }

  async function unlink(identity: IdentityView) {
    if (!window.confirm(`Unlink your ${identity.provider} account? You will no longer sign in with it.`)) return;
    if (await action.run(pathTo('identity', { id: identity.id }), { method: 'DELETE' })) await mutate();
  }

  if (!data || (data.provider === null && data.identities.length === 0)) return null;
  return (
    <div data-testid="identities">
      <h2>Single sign-on</h2>
      {data.identities.length === 0 ? (
        <p className="notice">No identity provider account is linked to this one.</p>
      ) : (
        <ul className="rows">
          {data.identities.map((identity) => (
            <li key={identity.id} data-testid="identity">
              <div>
                <strong>{identity.provider}</strong>
                {identity.email && <span> · {identity.email}</span>}
                <div className="notice">
                  linked {when(identity.linkedAt)} · last used {when(identity.lastUsedAt)}
                </div>
              </div>
              <div className="actions">
                <button type="button" onClick={() => void unlink(identity)} disabled={action.pending}>
                  Unlink
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {data.provider && data.identities.length === 0 && (
        <button type="button" onClick={() => void link()} disabled={action.pending || !data.provider.available}>
          Link your {data.provider.name} account
        </button>
      )}
      {action.error && (
        <p className="error" role="alert">
          {action.error}
        </p>
      )}
    </div>
  );
}
