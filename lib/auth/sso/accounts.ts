/**
 * Which account a verified identity at the OpenID Provider signs in to:
 * 1. the account linked to its issuer and subject (`iss` + `sub`: the only stable names an
 *    identity has; an e-mail address can change hands);
 * 2. with OIDC_LINK_BY_EMAIL, the account whose address an administrator set is the one the
 *    provider says it has verified (`email_verified: true`), which is then linked;
 * 3. with OIDC_AUTO_CREATE, a new account (no password) linked to it;
 * otherwise none (403 sso_not_linked): an administrator creates the account and its owner links the
 * identity from the account page, or sets its e-mail address for OIDC_LINK_BY_EMAIL.
 * The role follows OIDC_ADMIN_GROUP at every sign-in when that is set.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { recordEvent } from '../../audit/audit-log';
import type { IdentityRecord, UserRecord } from '../../db';
import { AppError } from '../../errors';
import { randomId } from '../../ids';
import { normalizeUsername, usernameProblem, usernameSkeleton } from '../../users/username';
import type { AuthDeps, ClientInfo } from '../deps';
import { sessionsEnded } from '../sessions';
import type { IdTokenClaims, SsoSettings } from './provider';

export type ResolvedAccount = { user: UserRecord; identity: IdentityRecord; how: 'linked' | 'email' | 'created' };

/** A claim as a string, or null. */
function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The e-mail address the provider vouches for, lower-cased; null unless `email_verified` is true. */
export function verifiedEmail(claims: IdTokenClaims): string | null {
  const email = text(claims.email);
  // Only `true` counts: a provider that does not say, or says it as a string, has not verified it.
  return email !== null && claims.email_verified === true ? email.toLowerCase() : null;
}

function newIdentity(userId: string, claims: IdTokenClaims, at: Date): IdentityRecord {
  return {
    id: randomId(),
    userId,
    issuer: claims.iss,
    subject: claims.sub,
    email: text(claims.email)?.toLowerCase() ?? null,
    createdAt: at,
    lastUsedAt: at,
  };
}

/** Usernames to try for a new account: what the provider calls the user, then made unique. */
function usernameCandidates(claims: IdTokenClaims): string[] {
  const named = [text(claims.preferred_username), text(claims.email)?.split('@')[0] ?? null, text(claims.nickname)]
    .filter((name): name is string => name !== null)
    .map((name) => normalizeUsername(name))
    .filter((name) => usernameProblem(name) === null);
  const base = named[0] ?? 'user';
  const suffix = () => randomBytes(3).toString('hex');
  return [...named, `${base}-${suffix()}`, `${base}-${suffix()}`, `user-${randomBytes(6).toString('hex')}`].filter(
    (name) => usernameProblem(name) === null,
  );
}

async function createAccount(deps: AuthDeps, claims: IdTokenClaims, at: Date): Promise<ResolvedAccount> {
  const email = verifiedEmail(claims);
  // An address another account already has stays theirs: the new account starts without one.
  const emailFree = email !== null && (await deps.store.findUserByEmail(email)) === null;
  for (const username of usernameCandidates(claims)) {
    const id = randomId();
    const identity = newIdentity(id, claims, at);
    const created = await deps.store.createUserWithIdentity(
      {
        id,
        username,
        usernameSkeleton: usernameSkeleton(username),
        // No password: this account signs in through the provider (or a passkey added later).
        passwordHash: '',
        role: 'user',
        passwordChangedAt: at,
        createdAt: at,
        email: emailFree ? email : null,
        emailVerifiedAt: emailFree ? at : null,
        emailSetBy: emailFree ? 'provider' : null,
      },
      identity,
    );
    if (created === 'identity_in_use') {
      // Created at this very moment by another sign-in of the same identity: use that account.
      const existing = await deps.store.findIdentity(claims.iss, claims.sub);
      if (existing) return { user: existing.user, identity: existing, how: 'linked' };
      throw new AppError('sso_failed', 'the account for this identity could not be created; try again');
    }
    if (created === 'username_taken' || 'confusableWith' in created) continue;
    return { user: created, identity, how: 'created' };
  }
  throw new AppError('sso_failed', 'no free username could be found for this identity; ask an administrator');
}

/** The account this identity signs in to, linking or creating it as the settings allow. */
export async function resolveAccount(
  deps: AuthDeps,
  settings: SsoSettings,
  claims: IdTokenClaims,
  client: ClientInfo,
): Promise<ResolvedAccount> {
  const at = deps.now();
  const linked = await deps.store.findIdentity(claims.iss, claims.sub);
  if (linked) {
    await deps.store.touchIdentity(linked.id, at, text(claims.email)?.toLowerCase() ?? null);
    return { user: linked.user, identity: linked, how: 'linked' };
  }
  const email = verifiedEmail(claims);
  if (settings.linkByEmail && email !== null) {
    const owner = await deps.store.findUserByEmail(email);
    // Both sides must vouch for the address: the provider (email_verified), and here an
    // administrator. An address a user confirmed for their own account is not enough: anyone can
    // confirm an address they once had, or trick its owner into confirming it for them.
    if (owner && owner.emailVerifiedAt !== null && owner.emailSetBy === 'admin') {
      const identity = newIdentity(owner.id, claims, at);
      if ((await deps.store.linkIdentity(identity)) === 'linked') {
        await recordEvent(
          deps.store,
          { type: 'sso.linked', userId: owner.id, client, detail: { provider: settings.displayName, by: 'email' } },
          at,
        );
        return { user: owner, identity, how: 'email' };
      }
      const raced = await deps.store.findIdentity(claims.iss, claims.sub);
      if (raced) return { user: raced.user, identity: raced, how: 'linked' };
    }
  }
  if (settings.autoCreate) {
    const created = await createAccount(deps, claims, at);
    if (created.how === 'created') {
      await recordEvent(
        deps.store,
        {
          type: 'user.created',
          userId: created.user.id,
          client,
          detail: { username: created.user.username, by: 'single sign-on', provider: settings.displayName },
        },
        at,
      );
    }
    return created;
  }
  await recordEvent(
    deps.store,
    { type: 'sso.failure', client, detail: { provider: settings.displayName, reason: 'not_linked' } },
    at,
  );
  throw new AppError('sso_not_linked', 'no account here is linked to this identity');
}

/** The groups the provider says the user is in (OIDC_GROUPS_CLAIM): a list or one name. */
function groupsOf(claims: IdTokenClaims, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((group): group is string => typeof group === 'string') : [];
}

/**
 * With OIDC_ADMIN_GROUP, the role follows the provider at every sign-in: an administrator there,
 * an administrator here, and not otherwise. A role change ends the account's other sessions, as
 * one made by an administrator does. The last active administrator is never demoted this way.
 */
export async function syncRole(
  deps: AuthDeps,
  settings: SsoSettings,
  user: UserRecord,
  claims: IdTokenClaims,
  client: ClientInfo,
): Promise<UserRecord> {
  if (settings.adminGroup === null) return user;
  const role = groupsOf(claims, settings.groupsClaim).includes(settings.adminGroup) ? 'admin' : 'user';
  if (role === user.role) return user;
  const at = deps.now();
  const changed = await deps.store.updateUser(user.id, { role }, { at, endSessions: 'role_changed' });
  if (changed === 'not_found') throw new AppError('sso_failed', 'the account was deleted meanwhile');
  if (changed === 'last_admin') {
    await recordEvent(
      deps.store,
      {
        type: 'sso.role_kept',
        userId: user.id,
        client,
        detail: { provider: settings.displayName, reason: 'last active administrator' },
      },
      at,
    );
    return user;
  }
  sessionsEnded(deps, changed.endedSessions, 'role_changed', at);
  await recordEvent(
    deps.store,
    {
      type: 'user.role_changed',
      userId: user.id,
      client,
      detail: { from: user.role, to: role, by: 'single sign-on', provider: settings.displayName },
    },
    at,
  );
  return changed.user;
}
