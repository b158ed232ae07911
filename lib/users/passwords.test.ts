import { describe, expect, it } from 'vitest';
import { createPasswords } from './passwords';

describe('password hashing', () => {
  it('checks a password against its argon2id hash', async () => {
    const passwords = createPasswords();
    const hash = await passwords.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await passwords.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await passwords.verify(hash, 'Correct horse battery staple')).toBe(false);
  });

  it('reads a corrupt stored hash as a wrong password', async () => {
    expect(await createPasswords().verify('not-a-hash', 'anything')).toBe(false);
  });

  it('sends every hash and check through its one bounded queue', async () => {
    const passwords = createPasswords({ concurrency: 1, maxWaiting: 10 });
    const { queue } = passwords;
    const hash = await passwords.hash('queued');
    const checks = [
      passwords.verify(hash, 'queued'),
      passwords.verify(hash, 'wrong'),
      passwords.burn('unknown user'),
      passwords.hash('another'),
    ];
    // Started together, at most `concurrency` run; the others wait their turn.
    expect(queue.running).toBe(Math.min(checks.length, queue.concurrency));
    expect(queue.running + queue.waiting).toBe(checks.length);
    const [right, wrong, burnt] = await Promise.all(checks);
    expect([right, wrong, burnt]).toEqual([true, false, false]);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });
});
