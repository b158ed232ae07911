import { expect, test } from '@playwright/test';
import {
  E2E,
  everyTabHadItsTurn,
  recordRequests,
  recordStatuses,
  signInWithForm,
  storedTokens,
  twoSignedInTabs,
  untilTime,
} from './helpers';

test('a session revoked elsewhere sends the page to /login within seconds', async ({ page, request }) => {
  await signInWithForm(page);
  const tokens = (await storedTokens(page))!;
  // The same account, signed in on another device, ends this browser's session from its sessions
  // page. (This session is bound to the browser's key: its own tokens, copied, could not.)
  const elsewhere = (await (await request.post('/api/auth/token', { data: E2E.admin })).json()) as {
    access_token: string;
  };
  const sid = (JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string })
    .sid;
  const response = await request.delete(`/api/auth/sessions/${sid}`, {
    headers: { authorization: `Bearer ${elsewhere.access_token}` },
  });
  expect(response.status()).toBe(204);
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/, { timeout: (E2E.sessionCheckSeconds + 6) * 1000 });
  await expect(page.getByText('Your session has ended')).toBeVisible();
  expect(await storedTokens(page)).toBeNull();
});

test('two tabs across one expiry window make exactly one refresh request between them and both keep working', async ({
  context,
}) => {
  const { a, b } = await twoSignedInTabs(context);

  const refreshes = recordRequests(context, '/api/auth/refresh');
  const first = (await storedTokens(a))!;
  // Both tabs come due at half the lifetime; wait until one refreshed, then a little more,
  // staying short of the next due time.
  await expect.poll(() => refreshes.length, { timeout: E2E.accessTokenSeconds * 1000 }).toBe(1);
  await untilTime(everyTabHadItsTurn(first));
  expect(refreshes).toHaveLength(1);

  // Both tabs switched to the new token and keep working past the old one's expiry.
  const renewed = (await storedTokens(b))!;
  expect(renewed.accessToken).not.toBe(first.accessToken);
  await untilTime(first.accessExpiresAt + 500);
  for (const page of [a, b]) {
    await page.getByTestId('reload').click();
    await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
    await expect(page).toHaveURL(/\/dashboard$/);
  }
  // At most one refresh per half-lifetime between the two tabs, never one each.
  const elapsed = Date.now() - first.receivedAt;
  expect(refreshes.length).toBeLessThanOrEqual(Math.ceil(elapsed / ((E2E.accessTokenSeconds * 1000) / 2)));
});

test('signing out in one tab signs the other out, and the session is over on the server', async ({
  context,
  request,
}) => {
  const { a, b } = await twoSignedInTabs(context);
  const tokens = (await storedTokens(a))!;

  await a.getByRole('button', { name: 'Sign out' }).click();
  await expect(a).toHaveURL(/\/login/);
  await expect(b).toHaveURL(/\/login/, { timeout: 5_000 });
  expect(await storedTokens(b)).toBeNull();

  // The sign-out request may still be on its way (keepalive) as the tabs reach /login.
  await expect
    .poll(
      async () => {
        const refresh = await request.post('/api/auth/refresh', { data: { refresh_token: tokens.refreshToken } });
        return `${refresh.status()} ${((await refresh.json()) as { code: string }).code}`;
      },
      { timeout: 5_000 },
    )
    .toBe('401 session_revoked');
  // Going back to the dashboard needs the form again.
  await b.goto('/dashboard');
  await expect(b).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(b.getByLabel('Username')).toBeVisible();
});

// Without Web Locks every tab leads and a localStorage lease keeps refreshes apart. localStorage
// reaches other tabs asynchronously, so this is best effort: at most one refresh per tab, never a
// sign-out (the server's grace window absorbs a duplicate), both tabs keep working.
test('without navigator.locks, two tabs still refresh without signing out (storage lease)', async ({ context }) => {
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
  });
  const { a, b } = await twoSignedInTabs(context);
  expect(await b.evaluate(() => 'locks' in navigator && navigator.locks !== undefined)).toBe(false);

  const refreshes = recordRequests(context, '/api/auth/refresh');
  const statuses = recordStatuses(context);
  const first = (await storedTokens(a))!;
  await expect.poll(() => refreshes.length, { timeout: E2E.accessTokenSeconds * 1000 }).toBeGreaterThanOrEqual(1);
  await untilTime(everyTabHadItsTurn(first));
  expect(refreshes.length).toBeLessThanOrEqual(2);
  for (const page of [a, b]) {
    await page.getByTestId('reload').click();
    await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
    await expect(page).toHaveURL(/\/dashboard$/);
  }
  expect(statuses.filter((s) => s.path === '/api/auth/refresh' && s.status !== 200)).toEqual([]);
});
