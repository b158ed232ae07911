/**
 * Passkeys (WebAuthn Level 3, through @simplewebauthn/server): register several per account from
 * the account page, rename and delete them, sign in with one (discoverable credentials, so no
 * username is typed), and re-authenticate with one. User verification is required every time, so
 * a passkey alone counts as two factors (amr: hwk or swk, and mfa). The relying party is
 * APP_ORIGIN's (config); challenges are signed and taken once (challenges.ts). A counter that
 * does not grow (for an authenticator that keeps one) is refused and audited: a cloned key.
 */
import 'server-only';
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { recordEvent } from '../../audit/audit-log';
import type { WebAuthnResponse } from '../../api/auth';
import type { PasskeyRecord, UserRecord } from '../../db';
import { AppError } from '../../errors';
import type { Amr } from '../authentication';
import type { AuthDeps, ClientInfo } from '../deps';
import type { ChallengePurpose } from './challenges';

type Context = { client: ClientInfo; sessionId: string | null };

export type PasskeyView = { id: string; name: string; createdAt: string; lastUsedAt: string | null; synced: boolean };

export function passkeyView(passkey: PasskeyRecord): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    synced: passkey.backedUp,
  };
}

/** How a passkey authenticates (RFC 8176): a synced one is a software key, a device-bound one hardware. */
export function passkeyAmr(passkey: Pick<PasskeyRecord, 'backedUp'>): Amr[] {
  return [passkey.backedUp ? 'swk' : 'hwk', 'user', 'mfa'];
}

function relyingParty(deps: AuthDeps) {
  const rp = deps.policy.relyingParty;
  if (!rp) throw new AppError('not_found', 'passkeys are not enabled on this server (APP_ORIGIN)');
  return rp;
}

function refused(detail = 'the passkey could not be verified'): AppError {
  return new AppError('invalid_credentials', detail);
}

/**
 * The origin a browser signed an answer for (clientDataJSON.origin), or null. Checked before the
 * library's verification so that an answer collected on another site neither burns the
 * challenge it carries nor hides among other failures in the audit log.
 */
function signedOrigin(answer: WebAuthnResponse): string | null {
  const data = answer.response.clientDataJSON;
  if (typeof data !== 'string') return null;
  try {
    const origin = (JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { origin?: unknown }).origin;
    return typeof origin === 'string' ? origin : null;
  } catch {
    return null;
  }
}

/** Whether a verification error says the counter went backwards (the library's own check). */
function isCounterRegression(error: unknown): boolean {
  return error instanceof Error && /counter value .* was lower than expected/i.test(error.message);
}

const transportsOf = (passkey: PasskeyRecord) => passkey.transports?.split(',').filter(Boolean) ?? [];

export async function registrationOptions(
  deps: AuthDeps,
  user: UserRecord,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty(deps);
  const existing = await deps.store.listPasskeys(user.id);
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userID: new TextEncoder().encode(user.id),
    challenge: deps.challenges.issue('register', user.id, deps.now()),
    attestationType: 'none',
    // The same authenticator twice would only confuse the list.
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

export async function registerPasskey(
  deps: AuthDeps,
  user: UserRecord,
  input: { name: string; response: WebAuthnResponse },
  context: Context,
): Promise<PasskeyView> {
  const rp = relyingParty(deps);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      // Checked in full by the library: the schema only bounded its shape.
      response: input.response as unknown as RegistrationResponseJSON,
      expectedChallenge: (challenge) => takeChallenge(deps, challenge, 'register', user.id),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    verified = { verified: false };
  }
  if (!verified.verified) {
    await recordEvent(deps.store, { type: 'passkey.register_failed', userId: user.id, ...context }, deps.now());
    deps.events.secondFactor('passkey_failed');
    throw new AppError('invalid_request', 'the passkey could not be verified; try again');
  }
  const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
  const passkey: PasskeyRecord = {
    id: randomUUID(),
    userId: user.id,
    credentialId: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports?.join(',') ?? null,
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    name: input.name,
    createdAt: deps.now(),
    lastUsedAt: null,
  };
  if ((await deps.store.addPasskey(passkey)) === 'exists') {
    throw new AppError('conflict', 'this passkey is already registered');
  }
  await recordEvent(
    deps.store,
    { type: 'passkey.registered', userId: user.id, actorId: user.id, ...context, detail: { passkey: passkey.id } },
    deps.now(),
  );
  deps.events.secondFactor('passkey_registered');
  return passkeyView(passkey);
}

export async function listPasskeys(deps: AuthDeps, userId: string): Promise<PasskeyView[]> {
  return (await deps.store.listPasskeys(userId)).map(passkeyView);
}

export async function renamePasskey(deps: AuthDeps, user: UserRecord, id: string, name: string, context: Context) {
  // Another account's passkey: the same 404 as none.
  if (!(await deps.store.renamePasskey(user.id, id, name))) throw new AppError('not_found', 'there is no such passkey');
  await recordEvent(
    deps.store,
    { type: 'passkey.renamed', userId: user.id, actorId: user.id, ...context, detail: { passkey: id } },
    deps.now(),
  );
}

export async function deletePasskey(deps: AuthDeps, user: UserRecord, id: string, context: Context) {
  if (!(await deps.store.deletePasskey(user.id, id))) throw new AppError('not_found', 'there is no such passkey');
  await recordEvent(
    deps.store,
    { type: 'passkey.removed', userId: user.id, actorId: user.id, ...context, detail: { passkey: id } },
    deps.now(),
  );
  deps.events.secondFactor('passkey_removed');
}

/** Options for a passkey sign-in (any of this site's passkeys) or a re-authentication (the user's). */
export async function authenticationOptions(
  deps: AuthDeps,
  user: UserRecord | null,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = relyingParty(deps);
  const allow = user
    ? (await deps.store.listPasskeys(user.id)).map((p) => ({ id: p.credentialId, transports: transportsOf(p) }))
    : undefined;
  if (user && allow?.length === 0) throw new AppError('not_found', 'this account has no passkey');
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: deps.challenges.issue(user ? 'reauth' : 'sign-in', user?.id ?? null, deps.now()),
    userVerification: 'required',
    ...(allow ? { allowCredentials: allow } : {}),
  });
}

async function takeChallenge(deps: AuthDeps, challenge: string, purpose: ChallengePurpose, userId: string | null) {
  return deps.challenges.take(challenge, { purpose, userId, now: deps.now() });
}

/**
 * Verifies a passkey's answer to one of our challenges; the passkey and its user. `user`: the
 * account it must belong to (re-authentication); null for a sign-in, where the passkey says whose.
 */
export async function verifyPasskey(
  deps: AuthDeps,
  answer: WebAuthnResponse,
  user: UserRecord | null,
  client: ClientInfo,
): Promise<{ passkey: PasskeyRecord; user: UserRecord }> {
  const rp = relyingParty(deps);
  // Checked in full by the library: the schema only bounded its shape.
  const response = answer as unknown as AuthenticationResponseJSON;
  const found = typeof response?.id === 'string' ? await deps.store.findPasskeyByCredential(response.id) : null;
  const fail = async (detail: Record<string, string | number>) => {
    await recordEvent(
      deps.store,
      { type: 'passkey.failure', userId: found?.userId ?? null, client, detail },
      deps.now(),
    );
    deps.events.secondFactor('passkey_failed');
    return refused();
  };
  // Unknown, or another account's: the same refusal.
  if (!found || (user && found.userId !== user.id)) throw await fail({ reason: 'unknown_credential' });
  // Phished on a look-alike site and relayed here: signed for another origin.
  if (signedOrigin(answer) !== rp.origin) throw await fail({ reason: 'wrong_origin' });
  const purpose = user ? 'reauth' : 'sign-in';
  const credential = {
    id: found.credentialId,
    publicKey: new Uint8Array(found.publicKey),
    counter: found.counter,
    transports: transportsOf(found),
  };
  const options = {
    response,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  };
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      ...options,
      credential,
      expectedChallenge: (challenge) => takeChallenge(deps, challenge, purpose, user?.id ?? null),
    });
  } catch (error) {
    if (!isCounterRegression(error)) throw await fail({ reason: 'not_verified' });
    // The library checks the counter before the signature: only an answer the key really signed
    // is a clone (anyone could send a low counter with a bad signature). The challenge was taken.
    const signed = await verifyAuthenticationResponse({
      ...options,
      credential: { ...credential, counter: 0 },
      expectedChallenge: (challenge) =>
        deps.challenges.check(challenge, { purpose, userId: user?.id ?? null, now: deps.now() }) !== null,
    }).then(
      (outcome) => outcome.verified,
      () => false,
    );
    if (!signed) throw await fail({ reason: 'not_verified' });
    await recordEvent(
      deps.store,
      {
        type: 'passkey.counter_regressed',
        userId: found.userId,
        client,
        detail: { passkey: found.id, stored: found.counter },
      },
      deps.now(),
    );
    deps.events.secondFactor('passkey_failed');
    throw refused('this passkey looks copied: its counter went backwards');
  }
  if (!verified.verified) throw await fail({ reason: 'not_verified' });
  const { newCounter, credentialBackedUp } = verified.authenticationInfo;
  // Two uses racing with one counter value: only one counts.
  const used = await deps.store.usePasskey(found.id, {
    seen: found.counter,
    counter: newCounter,
    backedUp: credentialBackedUp,
    at: deps.now(),
  });
  if (!used) throw await fail({ reason: 'concurrent_use' });
  deps.events.secondFactor('passkey_used');
  return { passkey: { ...found, counter: newCounter, backedUp: credentialBackedUp }, user: found.user };
}
