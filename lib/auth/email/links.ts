/**
 * Single-use links sent by e-mail: a random token in the link, only its SHA-256 in the database
 * (a copy of the table opens nothing), a purpose, an expiry, and used once on every instance.
 */
import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import type { EmailTokenRecord } from '../../db';
import { AppError } from '../../errors';
import type { AuthDeps } from '../deps';

export type LinkPurpose = 'verify_email' | 'password_reset' | 'not_me';

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The answer to a link that cannot be followed (again): the same whatever the reason. */
export function linkUsedOrExpired(): AppError {
  return new AppError('link_invalid', 'this link was already used or has expired');
}

/** How many links of this purpose the account was sent in the last hour (for per-hour caps). */
export function linksSentInLastHour(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  userId: string,
  purpose: LinkPurpose,
): Promise<number> {
  return deps.store.countEmailTokens(userId, purpose, new Date(deps.now().getTime() - 3_600_000));
}

/** A token as links carry it: 43 base64url characters (256 bits). */
export function isToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export async function createLinkToken(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  link: {
    purpose: LinkPurpose;
    userId: string;
    lifetimeSeconds: number;
    email?: string;
    passwordChangedAt?: Date;
    sessionId?: string;
  },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = deps.now();
  await deps.store.createEmailToken({
    id: hashOf(token),
    purpose: link.purpose,
    userId: link.userId,
    email: link.email ?? null,
    passwordChangedAt: link.passwordChangedAt ?? null,
    sessionId: link.sessionId ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + link.lifetimeSeconds * 1000),
  });
  return token;
}

/** A link's record if it is of this purpose, unused and unexpired, without using it (null otherwise). */
export async function peekLinkToken(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  token: string,
  purpose: LinkPurpose,
): Promise<EmailTokenRecord | null> {
  if (!isToken(token)) return null;
  const link = await deps.store.findEmailToken(hashOf(token));
  const live = link && link.purpose === purpose && link.usedAt === null && link.expiresAt > deps.now();
  return live ? link : null;
}

/** Uses a link: its record for exactly one caller, if it is of this purpose, unused and unexpired. */
export function takeLinkToken(
  deps: Pick<AuthDeps, 'store' | 'now'>,
  token: string,
  purpose: LinkPurpose,
): Promise<EmailTokenRecord | null> {
  if (!isToken(token)) return Promise.resolve(null);
  return deps.store.takeEmailToken(hashOf(token), purpose, deps.now());
}
