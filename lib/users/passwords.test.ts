import { describe, expect, it } from 'vitest';
import { burnPasswordCheck, hashPassword, hashQueue, verifyPassword } from './passwords';

describe('password hashing', () => {
  it('checks a password against its argon2id hash', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'Correct horse battery staple')).toBe(false);
  });

  it('reads a corrupt stored hash as a wrong password', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });

  it('sends every hash and check through the one bounded queue', async () => {
    const hash = await hashPassword('queued');
    const checks = [
      verifyPassword(hash, 'queued'),
      verifyPassword(hash, 'wrong'),
      burnPasswordCheck('unknown user'),
      hashPassword('another'),
    ];
    // Started together, at most `concurrency` run; the others wait their turn.
    expect(hashQueue.running).toBe(Math.min(checks.length, hashQueue.concurrency));
    expect(hashQueue.running + hashQueue.waiting).toBe(checks.length);
    const [right, wrong, burnt] = await Promise.all(checks);
    expect([right, wrong, burnt]).toEqual([true, false, false]);
    expect([hashQueue.running, hashQueue.waiting]).toEqual([0, 0]);
  });
});
