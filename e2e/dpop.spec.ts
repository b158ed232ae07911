import { expect, test, type Page } from '@playwright/test';
import { dpopProof, newDpopKey } from '../tests/helpers/dpop';
import { decodeClaims } from '../tests/helpers/forge';
import {
  E2E,
  recordRequests,
  recordStatuses,
  recoverRefresh,
  signInWithForm,
  everyTabHadItsTurn,
  untilTime,
  storedTokens,
  twoSignedInTabs,
} from './helpers';

/** What this origin's IndexedDB holds: each key's id, whether it can be exported, its public JWK. */
function storedKeys(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('staysignedin', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('dpop');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error('open failed'));
    });
    const read = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('read failed'));
      });
    const store = db.transaction('dpop', 'readonly').objectStore('dpop');
    const ids = (await read(store.getAllKeys())) as string[];
    const keys = (await read(db.transaction('dpop', 'readonly').objectStore('dpop').getAll())) as {
      privateKey: CryptoKey;
    }[];
    const exportable = await Promise.all(
      keys.map((key) =>
        crypto.subtle.exportKey('jwk', key.privateKey).then(
          () => true,
          () => false,
        ),
      ),
    );
    db.close();
    return { ids, extractable: keys.map((key) => key.privateKey.extractable), exportable };
  });
}

test('a refresh token lifted from the browser cannot be refreshed anywhere else, and the tab never notices', async ({
  page,
  request,
}) => {
  const statuses = recordStatuses(page);
  await signInWithForm(page);
  const stolen = (await storedTokens(page))!;
  const { ids, extractable, exportable } = await storedKeys(page);
  // One key, bound into the refresh token, and it cannot be read out of the browser.
  const bound = (decodeClaims(stolen.refreshToken).cnf as { jkt: string }).jkt;
  expect(ids).toEqual([bound]);
  expect(extractable).toEqual([false]);
  expect(exportable).toEqual([false]);

  // The thief replays the token from elsewhere: without a proof...
  const bare = await request.post('/api/auth/refresh', { data: { refresh_token: stolen.refreshToken } });
  expect(bare.status()).toBe(401);
  expect(((await bare.json()) as { code: string }).code).toBe('invalid_dpop_proof');
  // ...and with a proof from a key of its own (with a fresh server nonce, as a careful thief would).
  const thiefKey = await newDpopKey();
  const url = `${E2E.baseURL}/api/auth/refresh`;
  const challenge = await request.post('/api/auth/refresh', {
    data: { refresh_token: stolen.refreshToken },
    headers: { dpop: await dpopProof(thiefKey, url) },
  });
  expect(challenge.status()).toBe(400);
  const nonce = challenge.headers()['dpop-nonce'];
  const signed = await request.post('/api/auth/refresh', {
    data: { refresh_token: stolen.refreshToken },
    headers: { dpop: await dpopProof(thiefKey, url, { nonce }) },
  });
  expect(signed.status()).toBe(401);
  expect(((await signed.json()) as { code: string }).code).toBe('invalid_dpop_proof');

  // The tab renews on schedule with its own key and carries on past the stolen pair's expiry.
  await expect
    .poll(async () => (await storedTokens(page))?.refreshToken, { timeout: E2E.accessTokenSeconds * 1000 })
    .not.toBe(stolen.refreshToken);
  await untilTime(stolen.accessExpiresAt + 1_000);
  await page.getByTestId('reload').click();
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(statuses.filter((s) => s.status >= 400)).toEqual([]);
});

test('two tabs share one key: one refresh per window between them, signed with it', async ({ context }) => {
  const { a, b } = await twoSignedInTabs(context);
  const refreshes = recordRequests(context, '/api/auth/refresh');
  const first = (await storedTokens(a))!;
  await expect.poll(() => refreshes.length, { timeout: E2E.accessTokenSeconds * 1000 }).toBe(1);
  await untilTime(everyTabHadItsTurn(first));
  expect(refreshes).toHaveLength(1);
  // The proof names the key both tabs see, the one the session is bound to.
  const proof = refreshes[0]!.headers().dpop!;
  const header = JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString()) as { jwk: unknown };
  const tokens = (await storedTokens(b))!;
  const bound = (decodeClaims(tokens.refreshToken).cnf as { jkt: string }).jkt;
  expect((await storedKeys(a)).ids).toEqual([bound]);
  expect((await storedKeys(b)).ids).toEqual([bound]);
  expect(header.jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
  for (const page of [a, b]) {
    await page.getByTestId('reload').click();
    await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  }
});

test('signing out deletes the key; the next sign-in makes a new one', async ({ page }) => {
  await signInWithForm(page);
  const first = (await storedKeys(page)).ids;
  expect(first).toHaveLength(1);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect.poll(async () => (await storedKeys(page)).ids).toEqual([]);
  await signInWithForm(page);
  const second = (await storedKeys(page)).ids;
  expect(second).toHaveLength(1);
  expect(second).not.toEqual(first);
});

test('without IndexedDB (a private mode) the session is unbound, keeps working and says so', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  });
  await signInWithForm(page);
  const tokens = (await storedTokens(page))!;
  expect(decodeClaims(tokens.refreshToken).cnf).toBeUndefined();
  await page.goto('/dashboard/sessions');
  const current = page.locator('[data-testid="session"][data-current="true"]');
  await expect(current.getByTestId('session-binding')).toContainText('Not bound to a browser key');
  // Refreshing still works, without proofs.
  await expect
    .poll(async () => (await storedTokens(page))?.refreshToken, { timeout: E2E.accessTokenSeconds * 1000 })
    .not.toBe(tokens.refreshToken);
});

test('a bound session says so in the session details', async ({ page }) => {
  await signInWithForm(page);
  await page.goto('/dashboard/sessions');
  const current = page.locator('[data-testid="session"][data-current="true"]');
  await expect(current.getByTestId('session-binding')).toContainText('Bound to a key in that browser');
});

test('a refused proof while the browser holds its key is retried, not a sign-out; a lost key ends the session', async ({
  page,
}) => {
  await signInWithForm(page);
  // The server refuses the proof once (a proxy that changed the URL, say): the key is still here.
  let refused = 0;
  await page.route('**/api/auth/refresh', async (route) => {
    refused += 1;
    await route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ status: 401, code: 'invalid_dpop_proof', error: 'invalid_dpop_proof' }),
    });
  });
  await expect(page.getByTestId('reconnecting')).toBeVisible({ timeout: E2E.accessTokenSeconds * 1000 });
  expect(refused).toBeGreaterThanOrEqual(1);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(await storedTokens(page)).not.toBeNull();

  await page.unroute('**/api/auth/refresh');
  await recoverRefresh(page);

  // Now the key is gone (storage cleared): this browser cannot continue the session.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase('staysignedin');
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error ?? new Error('delete failed'));
      }),
  );
  await expect(page).toHaveURL(/\/login/, { timeout: E2E.accessTokenSeconds * 1000 + 5_000 });
  expect(await storedTokens(page)).toBeNull();
});
