// The passkey rows on both databases (TEST_DATABASE): the public key's bytes back exactly, one
// credential once, the counter as the lock between two uses, and another account's passkey
// untouchable. The WebAuthn ceremonies themselves run in Chromium (e2e/passkeys.spec.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '@/tests/helpers/database';
import type { Database } from './index';
import type { PasskeyRecord } from './store';

let store: Database['store'];
const at = new Date('2026-06-01T12:00:00.000Z');

beforeAll(async () => {
  ({ store } = await createTestDb('passkeys'));
  for (const id of ['owner', 'other']) {
    await store.createUser({
      id,
      username: id,
      usernameSkeleton: id,
      passwordHash: 'hash',
      role: 'user',
      passwordChangedAt: at,
      createdAt: at,
    });
  }
});
afterAll(() => store.close());

function passkey(id: string, userId = 'owner'): PasskeyRecord {
  return {
    id,
    userId,
    credentialId: `credential-${id}`,
    publicKey: new Uint8Array(randomBytes(77)),
    counter: 5,
    transports: 'internal,hybrid',
    deviceType: 'multiDevice',
    backedUp: true,
    name: `key ${id}`,
    createdAt: at,
    lastUsedAt: null,
  };
}

describe('passkeys in the store', () => {
  it('keep the public key byte for byte and find it by credential id, with its user', async () => {
    const key = passkey('a');
    expect(await store.addPasskey(key)).toBe('added');
    const found = await store.findPasskeyByCredential(key.credentialId);
    expect(new Uint8Array(found!.publicKey)).toEqual(key.publicKey);
    expect(found).toMatchObject({ id: 'a', userId: 'owner', counter: 5, backedUp: true, user: { username: 'owner' } });
    expect(await store.usersWithSecondFactor(['owner', 'other'])).toEqual(new Set(['owner']));
    // WebAuthn counters are unsigned 32-bit: the largest goes in and comes back.
    const high = { ...passkey('high'), counter: 2 ** 32 - 1 };
    await store.addPasskey(high);
    expect((await store.findPasskeyByCredential(high.credentialId))?.counter).toBe(2 ** 32 - 1);
  });

  it('register a credential once, whoever tries again', async () => {
    const key = passkey('b');
    expect(await store.addPasskey(key)).toBe('added');
    expect(await store.addPasskey({ ...key, id: 'b2', userId: 'other' })).toBe('exists');
  });

  it('take a counter value once: of two uses that saw the same counter, one is recorded', async () => {
    await store.addPasskey(passkey('c'));
    const use = { seen: 5, counter: 6, backedUp: true, at };
    const outcomes = await Promise.all([store.usePasskey('c', use), store.usePasskey('c', { ...use, counter: 7 })]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.findPasskeyByCredential('credential-c'))?.lastUsedAt).toEqual(at);
  });

  it("rename and delete only the caller's own", async () => {
    await store.addPasskey(passkey('d'));
    expect(await store.renamePasskey('other', 'd', 'mine now')).toBe(false);
    expect(await store.deletePasskey('other', 'd')).toBe(false);
    expect(await store.renamePasskey('owner', 'd', 'Work laptop')).toBe(true);
    expect((await store.listPasskeys('owner')).find((key) => key.id === 'd')?.name).toBe('Work laptop');
    expect(await store.deletePasskey('owner', 'd')).toBe(true);
    expect(await store.findPasskeyByCredential('credential-d')).toBeNull();
  });

  it("go with an administrator's reset of the second factors, and end the user's sessions", async () => {
    await store.addPasskey(passkey('e', 'other'));
    const { removed } = await store.removeSecondFactors('other', {
      at,
      passkeys: true,
      endSessions: 'second_factors_reset',
    });
    expect(removed).toBe(true);
    expect(await store.listPasskeys('other')).toEqual([]);
  });
});
