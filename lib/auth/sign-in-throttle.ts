/**
 * Sign-in throttling, counted in the database so that limits hold across restarts and instances.
 *
 * Two counters of attempts within a window: one per client network (an IPv4 address, or an IPv6
 * /64, which one host commonly owns whole), one per username (whether or not the account exists,
 * so the answers never tell). Every attempt is counted *before* its password is checked, in one
 * atomic statement, so a burst of concurrent guesses cannot all slip past the limit; a success
 * takes its count back. Past a limit the counter is locked for a growing time (lockSeconds
 * doubling with every further failure, up to maxLockSeconds), and attempts get 429
 * `too_many_attempts` with `Retry-After` without any password check.
 *
 * The address limit is the lower one, so a single address trips it long before the username's:
 * one attacker cannot lock a user out. A username locked by failures from many addresses still
 * accepts attempts from an address with no recent failures, so its owner can sign in from home.
 * A successful sign-in clears the username's counter.
 *
 * Keys are hashes: the table never holds what was typed into the username field.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { ThrottleRecord } from '../db';
import { AppError } from '../errors';
import type { AuthDeps, ThrottlePolicy } from './deps';

/**
 * Who is trying: the username (or other name) and the address. `scope` keeps counters of another
 * kind of attempt (password-reset requests) apart from the sign-in ones.
 */
type Who = { username: string; ip: string | null; scope?: string };

/** The network an address stands for: itself for IPv4, its /64 for IPv6. */
export function networkOf(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`;
}

function key(kind: 'user' | 'ip', value: string): string {
  return createHash('sha256').update(`${kind}\0${value}`).digest('base64url');
}

function keys(who: Who) {
  const scoped = (value: string) => (who.scope ? `${who.scope}\0${value}` : value);
  return {
    user: key('user', scoped(who.username)),
    ip: who.ip ? key('ip', scoped(networkOf(who.ip))) : null,
  };
}

function lockedFor(record: ThrottleRecord | undefined, now: Date): number {
  return Math.max(0, (record?.lockedUntil?.getTime() ?? 0) - now.getTime());
}

function tooMany(ms: number): AppError {
  return new AppError('too_many_attempts', 'too many failed sign-in attempts; try again later', {
    retryAfter: Math.max(1, Math.ceil(ms / 1000)),
  });
}

function lockDuration(policy: ThrottlePolicy, failures: number, max: number): number {
  const excess = failures - max;
  return Math.min(policy.lockSeconds * 2 ** Math.min(excess, 30), policy.maxLockSeconds) * 1000;
}

export type Attempt = {
  /** The password was right: take this attempt back and clear the username's counter. */
  succeeded(): Promise<void>;
  /** The password was wrong: lock what is now over its limit; returns which limits tripped. */
  failed(): Promise<string[]>;
  /** The password was never checked (the server was too busy): take back this attempt only. */
  abandoned(): Promise<void>;
};

/**
 * Counts this attempt and decides whether it may be checked at all; throws 429 when not.
 * Call `succeeded()` or `failed()` on the answer once the password has been checked.
 */
export async function beginAttempt(
  deps: AuthDeps,
  policy: ThrottlePolicy,
  who: Who,
  options: { strict?: boolean } = {},
): Promise<Attempt> {
  // strict: the name's lock holds for every address (second-factor codes: only a password holder
  // can trip it, so it cannot be turned against the owner, and fresh addresses must not reset it).
  const strict = options.strict ?? false;
  const now = deps.now();
  const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
  const { user, ip } = keys(who);
  const before = new Map((await deps.store.throttles(ip ? [user, ip] : [user])).map((r) => [r.key, r]));
  const addressBefore = ip ? before.get(ip) : undefined;
  // Locked counters refuse at once, uncounted.
  const addressWait = lockedFor(addressBefore, now);
  if (addressWait > 0) throw tooMany(addressWait);
  const addressHadFailures =
    addressBefore !== undefined && addressBefore.windowStart >= windowStart && addressBefore.failures > 0;
  const usernameWait = lockedFor(before.get(user), now);
  // A locked username still lets an address with no recent failures try: its owner, elsewhere.
  if (usernameWait > 0 && (strict || addressHadFailures || !ip)) throw tooMany(usernameWait);

  // Reserve: count the attempt before the (slow) password check, so concurrent attempts see each other.
  const address = ip ? await deps.store.countAttempt(ip, now, windowStart) : undefined;
  const username = await deps.store.countAttempt(user, now, windowStart);
  // Over a limit, only one attempt per lock period gets its password checked: the one that claims
  // the counter's expired lock (atomically); concurrent others are refused, uncounted.
  const claims: [string, ThrottleRecord | undefined, number, boolean][] = [
    ['ip', address, policy.addressMaxFailures, true],
    ['user', username, policy.usernameMaxFailures, strict || addressHadFailures || !ip],
  ];
  for (const [kind, record, max, applies] of claims) {
    if (!record || !applies || record.failures <= max) continue;
    const counterKey = kind === 'ip' ? ip! : user;
    const until = new Date(now.getTime() + lockDuration(policy, record.failures, max));
    if (!(await deps.store.claimThrottle(counterKey, now, until))) {
      if (ip) await deps.store.uncountAttempt(ip);
      await deps.store.uncountAttempt(user);
      throw tooMany(policy.lockSeconds * 1000);
    }
  }

  return {
    async succeeded() {
      if (ip) {
        await deps.store.uncountAttempt(ip);
        // A lock this attempt claimed is not the right password's to keep.
        if (address && address.failures > policy.addressMaxFailures) await deps.store.lockThrottle(ip, now);
      }
      await deps.store.clearThrottle(user);
    },
    async abandoned() {
      // Unlike succeeded(), earlier failures stay counted: overloading the server must not reset them.
      if (ip) await deps.store.uncountAttempt(ip);
      await deps.store.uncountAttempt(user);
    },
    async failed() {
      const tripped: string[] = [];
      const counters: [string, string | null, ThrottleRecord | undefined, number][] = [
        ['address', ip, address, policy.addressMaxFailures],
        ['username', user, username, policy.usernameMaxFailures],
      ];
      for (const [name, counterKey, record, max] of counters) {
        if (!counterKey || !record || record.failures < max) continue;
        await deps.store.lockThrottle(counterKey, new Date(now.getTime() + lockDuration(policy, record.failures, max)));
        tripped.push(name);
      }
      return tripped;
    },
  };
}
