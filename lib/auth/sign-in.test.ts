import { performance } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from '@/tests/helpers/auth';
import { createTestDb } from '@/tests/helpers/database';
import { appErrorOf } from '@/tests/helpers/errors';
import type { Database } from '../db';
import { createUser, type UserDeps } from '../users/users';

import { startSession } from './sessions';
import { signIn } from './sign-in';

let db: Database['client'];
let store: Database['store'];
let users: UserDeps;
const client = { userAgent: null, ip: null };

beforeAll(async () => {
  ({ db, store } = await createTestDb('signin'));
  users = { store, passwords: testAuth(store).deps.passwords };
  await createUser(users, { username: 'Alice', password: 'alice-password' });
  const disabled = await createUser(users, { username: 'carol', password: 'carol-password' });
  await db.user.update({ where: { id: disabled.id }, data: { disabled: true } });
  await users.passwords.warmUp();
});

describe('signIn', () => {
  it('signs in with a normalised username and starts a session', async () => {
    const { deps } = testAuth(store);
    const result = await signIn(deps, { username: '  ALICE ', password: 'alice-password' }, client);
    expect(await db.session.findUnique({ where: { id: result.sessionId } })).not.toBeNull();
  });

  it('gives the same error for an unknown user and a wrong password', async () => {
    const { deps } = testAuth(store);
    const unknown = await appErrorOf(signIn(deps, { username: 'mallory', password: 'alice-password' }, client));
    const wrong = await appErrorOf(signIn(deps, { username: 'alice', password: 'wrong-password' }, client));
    expect([unknown.code, unknown.status, unknown.message]).toEqual([wrong.code, wrong.status, wrong.message]);
    expect(unknown.code).toBe('invalid_credentials');
  });

  it('spends a real password check on unknown users, so timing does not reveal which accounts exist', async () => {
    // Without the dummy check an unknown user answers ~100x faster than a wrong password;
    // the bound is loose so a busy machine cannot make it flaky, yet it fails without the check.
    const { deps } = testAuth(store);
    const median = async (username: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await signIn(deps, { username, password: 'wrong-password' }, client).catch(() => undefined);
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[2]!;
    };
    const unknown = await median('nobody-here');
    const known = await median('alice');
    expect(unknown / known).toBeGreaterThan(0.4);
  });

  it('reveals a disabled account only after the correct password', async () => {
    const { deps } = testAuth(store);
    const wrong = await appErrorOf(signIn(deps, { username: 'carol', password: 'not-carols' }, client));
    expect(wrong.code).toBe('invalid_credentials');
    const right = await appErrorOf(signIn(deps, { username: 'carol', password: 'carol-password' }, client));
    expect([right.code, right.status]).toEqual(['account_disabled', 403]);
  });
});

describe('signIn racing a password change', () => {
  it('creates no session when the password changes while the old one is being checked', async () => {
    const user = await createUser(users, { username: 'racer', password: 'the old passphrase' });
    const { deps, clock } = testAuth(store);
    // The password is changed while this sign-in is busy checking the old one.
    const slowDeps = {
      ...deps,
      store: {
        ...deps.store,
        findUserByUsername: async (name: string) => {
          const found = await deps.store.findUserByUsername(name);
          clock.advance(1);
          await db.user.update({ where: { id: user.id }, data: { passwordChangedAt: clock.now() } });
          return found;
        },
      },
    };
    const refused = await appErrorOf(signIn(slowDeps, { username: 'racer', password: 'the old passphrase' }, client));
    // The same answer as for a wrong password: the password checked is no longer the account's.
    expect(refused.code).toBe('invalid_credentials');
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('startSession', () => {
  it('creates no session for an account disabled, reset, given another role or deleted since it was read', async () => {
    const { deps } = testAuth(store);
    const client = { userAgent: null, ip: null };
    const changes: [string, (id: string) => Promise<unknown>][] = [
      ['disabled', (id) => db.user.update({ where: { id }, data: { disabled: true } })],
      ['reset', (id) => db.user.update({ where: { id }, data: { passwordChangedAt: new Date(Date.now() + 1000) } })],
      ['re-roled', (id) => db.user.update({ where: { id }, data: { role: 'admin' } })],
      ['deleted', (id) => db.user.delete({ where: { id } })],
    ];
    for (const [name, change] of changes) {
      const read = await createUser(users, { username: `changing-${name}`, password: 'a changing password' });
      await change(read.id);
      expect(await startSession(deps, read, client), name).toBeNull();
      expect(await db.session.count({ where: { userId: read.id } }), name).toBe(0);
    }
    const unchanged = await createUser(users, { username: 'unchanging', password: 'a steady password' });
    expect(await startSession(deps, unchanged, client)).not.toBeNull();
  });
});
