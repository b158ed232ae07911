import { beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { appErrorOf } from '@/tests/helpers/errors';
import type { Database } from '../db';
import type { ThrottlePolicy } from './deps';
import { beginAttempt, networkOf } from './sign-in-throttle';

let store: Database['store'];
const POLICY: ThrottlePolicy = {
  windowSeconds: 900,
  addressMaxFailures: 3,
  usernameMaxFailures: 6,
  lockSeconds: 30,
  maxLockSeconds: 900,
};

beforeAll(async () => {
  ({ store } = await createTestDb('throttle'));
});

describe('networkOf', () => {
  it('keeps IPv4 addresses and reduces IPv6 ones to their /64', () => {
    expect(networkOf('203.0.113.9')).toBe('203.0.113.9');
    expect(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('beginAttempt', () => {
  it('counts attempts before the password check, so a concurrent burst cannot pass the limit', async () => {
    const { deps } = testAuth(store);
    const who = { username: 'burst', ip: '198.51.100.1' };
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => beginAttempt(deps, POLICY, who)));
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    // The limit, plus the one attempt a counter over its limit allows per lock period.
    expect(admitted).toHaveLength(POLICY.addressMaxFailures + 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect((await appErrorOf(Promise.reject(outcome.reason as Error))).code).toBe('too_many_attempts');
    }
  });

  it('treats every address of one IPv6 /64 as one', async () => {
    const { deps } = testAuth(store);
    for (let i = 1; i <= POLICY.addressMaxFailures; i++) {
      const attempt = await beginAttempt(deps, POLICY, { username: `v6-${i}`, ip: `2001:db8:7:7::${i}` });
      await attempt.failed();
    }
    const refused = await appErrorOf(beginAttempt(deps, POLICY, { username: 'v6-next', ip: '2001:db8:7:7:ffff::1' }));
    expect(refused.code).toBe('too_many_attempts');
    // Another /64 is another network.
    await beginAttempt(deps, POLICY, { username: 'v6-next', ip: '2001:db8:7:8::1' });
  });

  it('takes a successful attempt back, so signing in many times never locks an address', async () => {
    const { deps } = testAuth(store);
    for (let i = 0; i < POLICY.addressMaxFailures * 3; i++) {
      const attempt = await beginAttempt(deps, POLICY, { username: 'often', ip: '198.51.100.2' });
      await attempt.succeeded();
    }
  });

  it('takes back an abandoned attempt without forgetting the failures before it', async () => {
    const { deps } = testAuth(store);
    const from = (i: number) => ({ username: 'patient', ip: `198.51.100.${20 + i}` });
    for (let i = 0; i < POLICY.usernameMaxFailures - 1; i++) await (await beginAttempt(deps, POLICY, from(i))).failed();
    // The server was too busy to check this one: it neither counts nor wipes the slate.
    await (await beginAttempt(deps, POLICY, from(50))).abandoned();
    const last = await beginAttempt(deps, POLICY, from(51));
    expect(await last.failed()).toEqual(['username']);
  });
});
