import { expect, test, type Page } from '@playwright/test';
import { authenticatorFor, keyFromTyped } from '../tests/helpers/totp';
import { E2E, storedTokens } from './helpers';

/**
 * Single sign-on in Chromium, through the provider's own pages (e2e/identity-provider.ts: a real
 * oidc-provider, its development login form, any password). The app runs with OIDC_AUTO_CREATE.
 */

/** The provider's pages load a web font from the internet; this closed network cannot reach it. */
async function offline(page: Page) {
  await page.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
}

/** "Sign in with Test IdP", the provider's form as `login`, and back to the app. */
async function signInThroughProvider(page: Page, login: string, next?: string) {
  await offline(page);
  await page.goto(next === undefined ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.idp}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password at the provider');
  await page.locator('button[type="submit"]').click();
}

test('signs in through the provider’s own login page and lands on the dashboard with a session of ours', async ({
  page,
}) => {
  await signInThroughProvider(page, 'alice');
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('signed-in-as')).toContainText('alice');
  // An ordinary session of ours: tokens in this browser, the refresh token bound to its key.
  const tokens = await storedTokens(page);
  expect(tokens?.refreshToken).toEqual(expect.any(String));
  const claims = JSON.parse(Buffer.from(tokens!.refreshToken.split('.')[1]!, 'base64url').toString()) as {
    cnf?: { jkt: string };
  };
  expect(claims.cnf?.jkt).toEqual(expect.any(String));
  // The code left the address bar (and the history) at once.
  await page.goto('/dashboard/sessions');
  await expect(page.getByText('single sign-on (Test IdP)').first()).toBeVisible();
});

test('keeps where the user was going through the provider', async ({ page }) => {
  await signInThroughProvider(page, 'alice', '/dashboard/sessions');
  await expect(page).toHaveURL(/\/dashboard\/sessions$/);
});

test('back-channel logout from the provider sends the open tab to /login within seconds', async ({ page, context }) => {
  await signInThroughProvider(page, 'carol');
  await expect(page.getByTestId('signed-in-as')).toContainText('carol');
  // In another tab, the user signs out at the provider itself.
  const provider = await context.newPage();
  await offline(provider);
  await provider.goto(`${E2E.idp}/session/end?client_id=staysignedin`);
  await provider.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(provider.getByText('Signed out at the provider.')).toBeVisible();
  const signedOutAt = Date.now();
  // The app's tab notices at its next session check (every E2E.sessionCheckSeconds).
  await expect(page).toHaveURL(/\/login/, { timeout: 10_000 });
  expect(Date.now() - signedOutAt).toBeLessThan(10_000);
});

test('signing out of a single sign-on session signs out at the provider too, and comes back to /login', async ({
  page,
}) => {
  await signInThroughProvider(page, 'dave');
  await expect(page.getByTestId('signed-in-as')).toContainText('dave');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.idp}/session/end`));
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await storedTokens(page)).toBeNull();
  // Signed out there as well: the provider asks for the login form again.
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
  await expect(page.locator('input[name="login"]')).toBeVisible();
});

test('an account with an authenticator app asks for its code after the provider, then goes where it was going', async ({
  page,
  browser,
}) => {
  await signInThroughProvider(page, 'kim', '/dashboard/account');
  await expect(page).toHaveURL(/\/dashboard\/account$/);
  // The provider knows no name for kim: the account got one of its own.
  const account = await page.getByTestId('signed-in-as').innerText();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const app = authenticatorFor(keyFromTyped(await page.getByTestId('totp-key').innerText()));
  await page.getByLabel('The 6-digit code the app shows').fill(await app.next());
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  // Another browser: the provider's sign-in, then this app's code step, and no tokens before it.
  const other = await (await browser.newContext()).newPage();
  await signInThroughProvider(other, 'kim', '/dashboard/sessions');
  await expect(other.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
  expect(await storedTokens(other)).toBeNull();
  await other.getByLabel('Authentication code').fill(app.wrong());
  await other.getByRole('button', { name: 'Verify' }).click();
  await expect(other.getByRole('main').getByRole('alert')).toContainText('not right');
  await other.getByLabel('Authentication code').fill(await app.next());
  await other.getByRole('button', { name: 'Verify' }).click();
  await expect(other).toHaveURL(/\/dashboard\/sessions$/);
  await expect(other.getByTestId('signed-in-as')).toHaveText(account);
});

test('a return that was not started in this browser is refused with a way back to sign-in', async ({ page }) => {
  await offline(page);
  await page.goto('/login/sso?state=forged-state&code=forged-code');
  await expect(page.getByTestId('sso-return')).toContainText('did not complete');
  await expect(page).toHaveURL(/\/login\/sso$/);
  await page.getByRole('link', { name: 'Back to sign-in' }).click();
  await expect(page).toHaveURL(/\/login$/);
});
