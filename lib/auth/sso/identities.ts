/**
 * A user's identities at the OpenID Provider, as the account page shows them: list, and unlink
 * (a sensitive action) unless it is the account's last way in.
 */
import 'server-only';
import type { IdentityView } from '../../api/sso';
import { recordEvent } from '../../audit/audit-log';
import { AppError } from '../../errors';
import type { AuthDeps, ClientInfo } from '../deps';
import { providerName } from './issuer';

export async function listIdentities(deps: AuthDeps, userId: string): Promise<IdentityView[]> {
  return (await deps.store.listIdentities(userId)).map((identity) => ({
    id: identity.id,
    provider: providerName(identity.issuer, deps.policy.sso),
    email: identity.email,
    linkedAt: identity.createdAt.toISOString(),
    lastUsedAt: identity.lastUsedAt?.toISOString() ?? null,
  }));
}

export async function unlinkIdentity(
  deps: AuthDeps,
  caller: { userId: string; sessionId: string; client: ClientInfo },
  id: string,
): Promise<void> {
  const identities = await deps.store.listIdentities(caller.userId);
  const identity = identities.find((candidate) => candidate.id === id);
  const outcome = identity ? await deps.store.unlinkIdentity(caller.userId, id) : 'not_found';
  if (outcome === 'not_found') throw new AppError('not_found', 'there is no such identity linked to your account');
  // Without a password, a passkey or another identity the account could never be signed in to again.
  if (outcome === 'last_way_in') {
    throw new AppError(
      'last_sign_in_method',
      'this is the only way to sign in to this account; add a password or a passkey first',
    );
  }
  await recordEvent(
    deps.store,
    {
      type: 'sso.unlinked',
      userId: caller.userId,
      actorId: caller.userId,
      sessionId: caller.sessionId,
      client: caller.client,
      detail: { provider: providerName(identity!.issuer, deps.policy.sso) },
    },
    deps.now(),
  );
}
