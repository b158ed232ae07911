import { expect, test } from '@playwright/test';
import { decodeClaims, forgeToken } from '../tests/helpers/forge';
import {
  E2E,
  recordRequests,
  recordStatuses,
  recoverRefresh,
  signInWithForm,
  untilTime,
  storedTokens,
  type StoredTokens,
} from './helpers';

test('proactive: the access token is renewed before it expires, with no 401 on the way', async ({ page }) => {
  const statuses = recordStatuses(page);
  const refreshes = recordRequests(page, '/api/auth/refresh');
  await signInWithForm(page);
  const first = (await storedTokens(page))!;

  // Renewed while the first token is still valid...
  await expect
    .poll(async () => (await storedTokens(page))?.accessToken, { timeout: E2E.accessTokenSeconds * 1000 })
    .not.toBe(first.accessToken);
  const renewed = (await storedTokens(page))!;
  expect(renewed.receivedAt).toBeLessThan(first.accessExpiresAt);
  expect(refreshes.length).toBeGreaterThanOrEqual(1);

  // ...and the page keeps working across the old token's expiry, polling /me all along.
  await untilTime(first.accessExpiresAt + 2_000);
  await page.getByTestId('reload').click();
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  expect(statuses.filter((s) => s.path === '/api/auth/me').length).toBeGreaterThan(2);
  expect(statuses.filter((s) => s.status === 401)).toEqual([]);
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('reactive: an expired access token on an API call triggers exactly one refresh, then the call is retried', async ({
  page,
}) => {
  await signInWithForm(page);
  const tokens = (await storedTokens(page))!;
  // A genuine token for this session that expired a minute ago, which the client still
  // believes valid for ten minutes: only the server's 401 can reveal it.
  const now = Math.floor(Date.now() / 1000);
  const expired = await forgeToken(
    E2E.secret,
    { typ: 'at+jwt' },
    { ...decodeClaims(tokens.accessToken), iat: now - 120, exp: now - 60 },
  );
  await page.evaluate(
    ([token]) => {
      const stored = JSON.parse(localStorage.getItem('staysignedin.tokens')!) as StoredTokens;
      const now = Date.now();
      localStorage.setItem(
        'staysignedin.tokens',
        JSON.stringify({ ...stored, accessToken: token, receivedAt: now, accessExpiresAt: now + 600_000 }),
      );
    },
    [expired],
  );

  const refreshes = recordRequests(page, '/api/auth/refresh');
  const statuses = recordStatuses(page);
  await page.reload(); // the page cookie is still valid; the stored Bearer token is not
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  // The refused call and its retry, both seen: then exactly one refresh came between them.
  const me = () => statuses.filter((s) => s.path === '/api/auth/me').map((s) => s.status);
  await expect.poll(() => me().slice(0, 2)).toEqual([401, 200]);
  expect(refreshes).toHaveLength(1);
  expect((await storedTokens(page))!.accessToken).not.toBe(expired);
});

test('reload after the access token expired, with a valid refresh token, returns to the page without the form', async ({
  page,
  context,
}) => {
  await signInWithForm(page, '/dashboard?tab=overview');
  const tokens = (await storedTokens(page))!;
  await page.close(); // leave: no tab keeps the tokens fresh

  // Come back after the access token (and its cookie) expired.
  await untilTime(tokens.accessExpiresAt + 1_500);
  const later = await context.newPage();
  const signIns = recordRequests(later, '/api/auth/token');
  const refreshes = recordRequests(later, '/api/auth/refresh');
  await later.goto('/dashboard?tab=overview');
  await expect(later).toHaveURL(/\/dashboard\?tab=overview$/);
  await expect(later.getByTestId('username')).toHaveText(E2E.admin.username);
  expect(signIns).toHaveLength(0);
  expect(refreshes.length).toBeGreaterThanOrEqual(1);
});

test('the refresh endpoint failing (network abort, then 500) keeps the user signed in, and it recovers', async ({
  page,
}) => {
  await signInWithForm(page);
  const tokens = (await storedTokens(page))!;
  let aborted = 0;
  let failed = 0;
  await page.route('**/api/auth/refresh', async (route) => {
    aborted += 1;
    await route.abort('connectionreset');
  });
  // The proactive refresh fails: a discreet banner, still signed in.
  await expect(page.getByTestId('reconnecting')).toBeVisible({ timeout: E2E.accessTokenSeconds * 1000 });
  expect(aborted).toBeGreaterThanOrEqual(1);

  await page.unroute('**/api/auth/refresh');
  await page.route('**/api/auth/refresh', (route) => {
    failed += 1;
    return route.fulfill({
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({ status: 500, code: 'internal_error' }),
    });
  });
  await expect.poll(() => failed, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  // Past the access token's expiry with the refresh still failing: nobody was signed out.
  await untilTime(tokens.accessExpiresAt + 500);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(await storedTokens(page)).not.toBeNull();
  await expect(page.getByTestId('reconnecting')).toBeVisible();

  // The server answers again: the next retry (or the browser coming back online) recovers.
  await page.unroute('**/api/auth/refresh');
  await recoverRefresh(page);
  await page.getByTestId('reload').click();
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('after the device sleeps past the access token lifetime, the tab renews itself on wake and stays signed in', async ({
  page,
}) => {
  await page.clock.install(); // the page's timers and Date, under the test's control
  await signInWithForm(page);
  const before = (await storedTokens(page))!;

  // Lid closed: no timer runs in the page while the server's clock moves past the token's expiry.
  await page.clock.pauseAt(Date.now() + 1_000);
  await untilTime(before.accessExpiresAt + 1_500);
  const statuses = recordStatuses(page);

  // Lid opened an hour later (device time): overdue timers fire, the page becomes visible again.
  await page.clock.fastForward('01:00:00');
  await page.clock.resume();
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await expect
    .poll(async () => (await storedTokens(page))?.accessToken, { timeout: 10_000 })
    .not.toBe(before.accessToken);
  await page.getByTestId('reload').click();
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(statuses.filter((s) => s.path === '/api/auth/refresh').every((s) => s.status === 200)).toBe(true);
});
