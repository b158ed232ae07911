/**
 * Sign-in throttling, counted in the database so that limits hold across restarts and instances.
 *
 * Two counters of failures within a window: one per client address, one per username (whether or
 * not the account exists, so the answers never tell). Past a limit, the counter is locked for a
 * growing time (lockSeconds doubling with every further failure, up to maxLockSeconds), and
 * attempts get 429 `too_many_attempts` with `Retry-After`, before any password is checked.
 *
 * The address limit is the lower one, so a single address trips it long before the username's:
 * one attacker cannot lock a user out. A username locked by failures from many addresses still
 * accepts attempts from an address with no recent failures, so its owner can sign in from home.
 * A successful sign-in clears the username's counter.
 *
 * Keys are hashes: the table never holds what was typed into the username field.
 */
import { createHash } from 'node:crypto';
import type { ThrottleRecord } from '../db';
import { AppError } from '../errors';
import type { AuthDeps } from './deps';

export type ThrottlePolicy = {
  windowSeconds: number;
  addressMaxFailures: number;
  usernameMaxFailures: number;
  lockSeconds: number;
  maxLockSeconds: number;
};

type Who = { username: string; ip: string | null };

function key(kind: 'user' | 'ip', value: string): string {
  return createHash('sha256').update(`${kind}\0${value}`).digest('base64url');
}

function keys(who: Who) {
  return { user: key('user', who.username), ip: who.ip ? key('ip', who.ip) : null };
}

function lockedFor(record: ThrottleRecord | undefined, now: Date): number {
  const until = record?.lockedUntil?.getTime() ?? 0;
  return Math.max(0, until - now.getTime());
}

function tooMany(ms: number): AppError {
  return new AppError('too_many_attempts', 'too many failed sign-in attempts; try again later', {
    retryAfter: Math.max(1, Math.ceil(ms / 1000)),
  });
}

/** Throws 429 when this attempt must not even be checked. */
export async function assertSignInAllowed(deps: AuthDeps, policy: ThrottlePolicy, who: Who): Promise<void> {
  const now = deps.now();
  const { user, ip } = keys(who);
  const records = await deps.store.throttles(ip ? [user, ip] : [user]);
  const byKey = new Map(records.map((record) => [record.key, record]));
  const address = ip ? byKey.get(ip) : undefined;
  const addressWait = lockedFor(address, now);
  if (addressWait > 0) throw tooMany(addressWait);
  const usernameWait = lockedFor(byKey.get(user), now);
  const windowStart = now.getTime() - policy.windowSeconds * 1000;
  const addressHasFailures =
    address !== undefined && address.windowStart.getTime() >= windowStart && address.failures > 0;
  // A locked username still lets an address with no recent failures try: its owner, elsewhere.
  if (usernameWait > 0 && (addressHasFailures || !ip)) throw tooMany(usernameWait);
}

function lockDuration(policy: ThrottlePolicy, failures: number, max: number): number {
  const excess = failures - max;
  return Math.min(policy.lockSeconds * 2 ** Math.min(excess, 30), policy.maxLockSeconds) * 1000;
}

/** Counts a failure; returns which counters are now locked (for the audit log). */
export async function recordSignInFailure(deps: AuthDeps, policy: ThrottlePolicy, who: Who): Promise<string[]> {
  const now = deps.now();
  const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
  const { user, ip } = keys(who);
  const tripped: string[] = [];
  const counters: [string, string | null, number][] = [
    ['address', ip, policy.addressMaxFailures],
    ['username', user, policy.usernameMaxFailures],
  ];
  for (const [name, counterKey, max] of counters) {
    if (!counterKey) continue;
    const record = await deps.store.countFailure(counterKey, now, windowStart);
    if (record.failures >= max) {
      await deps.store.lockThrottle(counterKey, new Date(now.getTime() + lockDuration(policy, record.failures, max)));
      tripped.push(name);
    }
  }
  return tripped;
}

export async function recordSignInSuccess(deps: AuthDeps, who: Who): Promise<void> {
  await deps.store.clearThrottle(keys(who).user);
}
