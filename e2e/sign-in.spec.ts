import { expect, test } from '@playwright/test';
import { createDisabledUser } from './accounts';
import { E2E, recordRequests, signInWithForm, storedTokens } from './helpers';

test('an unauthenticated visit to a dashboard page goes to /login?next=..., and signing in lands on next', async ({
  page,
}) => {
  await page.goto('/dashboard?view=compact');
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%3Fview%3Dcompact$/);
  await page.getByLabel('Username').fill(E2E.admin.username);
  await page.getByLabel('Password').fill(E2E.admin.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard\?view=compact$/);
  await expect(page.getByTestId('username')).toHaveText('admin');
  await expect(page.getByTestId('signed-in-as')).toContainText('admin');
});

test('a wrong password shows the error and stores no token', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill(E2E.admin.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toHaveText('Wrong username or password.');
  expect(await storedTokens(page)).toBeNull();
  await expect(page).toHaveURL(/\/login$/);
});

test('the form is accessible: labelled fields with autocomplete hints and a live error region', async ({ page }) => {
  await page.goto('/login');
  // "webauthn": passkeys are offered in the field's suggestions (conditional mediation).
  await expect(page.getByLabel('Username')).toHaveAttribute('autocomplete', 'username webauthn');
  await expect(page.getByLabel('Password')).toHaveAttribute('autocomplete', 'current-password');
  await expect(page.locator('#login-error')).toHaveAttribute('aria-live', 'assertive');
});

test('a network error while signing in says so and keeps the form usable', async ({ page }) => {
  await page.goto('/login');
  await page.route('**/api/auth/token', (route) => route.abort('internetdisconnected'));
  await page.getByLabel('Username').fill(E2E.admin.username);
  await page.getByLabel('Password').fill(E2E.admin.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toContainText('Cannot reach the server');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
});

for (const next of [
  'https://elsewhere.example/',
  '//elsewhere.example/',
  '/\\elsewhere.example',
  '/.//elsewhere.example',
  '/%2e//elsewhere.example',
  '/a/..//elsewhere.example',
]) {
  test(`next=${next} is ignored: signing in lands on /dashboard`, async ({ page }) => {
    const tokenRequests = recordRequests(page, '/api/auth/token');
    await signInWithForm(page, next);
    expect(new URL(page.url()).origin).toBe(E2E.baseURL);
    await expect(page).toHaveURL(/\/dashboard$/);
    expect(tokenRequests).toHaveLength(1);
  });
}

test('a disabled account gets a clear message, only with the right password', async ({ page }) => {
  await createDisabledUser('frozen', 'frozen-password');
  await page.goto('/login');
  await page.getByLabel('Username').fill('frozen');
  await page.getByLabel('Password').fill('frozen-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toHaveText(
    'This account has been disabled. Ask an administrator to re-enable it.',
  );
  expect(await storedTokens(page)).toBeNull();
});

test('the button shows a pending state while signing in', async ({ page }) => {
  await page.goto('/login');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/auth/token', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel('Username').fill(E2E.admin.username);
  await page.getByLabel('Password').fill(E2E.admin.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
  release();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('too many attempts and server errors get their own clear messages', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill(E2E.admin.username);
  await page.getByLabel('Password').fill('whatever-it-is');
  await page.route('**/api/auth/token', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '30' },
      contentType: 'application/problem+json',
      body: JSON.stringify({ status: 429, code: 'too_many_attempts' }),
    }),
  );
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toHaveText('Too many sign-in attempts. Try again in 30 seconds.');
  await page.unroute('**/api/auth/token');
  await page.route('**/api/auth/token', (route) => route.fulfill({ status: 502, body: '<html>Bad gateway</html>' }));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toHaveText(
    'Something went wrong on our side. Please try again in a moment.',
  );
  expect(await storedTokens(page)).toBeNull();
});
