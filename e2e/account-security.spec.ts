import { expect, test } from '@playwright/test';
import { createAccount } from './accounts';
import { E2E, signInWithForm } from './helpers';

test('a session ended from the sessions page sends that other browser to /login within seconds', async ({
  browser,
}) => {
  const account = { username: 'sam', password: 'sam has a long password' };
  await createAccount(account.username, account.password);
  const laptop = await browser.newContext();
  const phone = await browser.newContext({
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  });
  const here = await laptop.newPage();
  const there = await phone.newPage();
  await signInWithForm(there, undefined, account);
  await signInWithForm(here, '/dashboard/sessions', account);

  const sessions = here.getByTestId('session');
  await expect(sessions).toHaveCount(2);
  await expect(here.locator('[data-current="true"]')).toContainText('This device');
  const other = here.locator('[data-current="false"]');
  await expect(other).toContainText('Safari on iOS');
  await other.getByRole('button', { name: 'Sign out this session' }).click();
  await expect(sessions).toHaveCount(1);

  await expect(there).toHaveURL(/\/login/, { timeout: (E2E.sessionCheckSeconds + 6) * 1000 });
  await expect(here.getByTestId('session')).toHaveCount(1);
  await laptop.close();
  await phone.close();
});

test('changing the password signs the other browser out, while this one continues', async ({ browser }) => {
  const account = { username: 'tara', password: 'tara has a long password' };
  await createAccount(account.username, account.password);
  const first = await browser.newContext();
  const second = await browser.newContext();
  const here = await first.newPage();
  const there = await second.newPage();
  await signInWithForm(there, undefined, account);
  await signInWithForm(here, '/dashboard/account', account);

  await expect(here.getByText('Not your username')).toBeVisible();
  await here.getByLabel('Current password').fill(account.password);
  await here.getByLabel('New password', { exact: true }).fill('password123');
  await here.getByLabel('New password again').fill('password123');
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.locator('#password-error')).toContainText('common');

  await here.getByLabel('New password', { exact: true }).fill('tara picked a new passphrase');
  await here.getByLabel('New password again').fill('tara picked a new passphrase');
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.getByTestId('password-changed')).toBeVisible();

  await expect(there).toHaveURL(/\/login/, { timeout: (E2E.sessionCheckSeconds + 6) * 1000 });
  // This browser keeps working with the fresh pair: it can load account data after the change.
  await here.goto('/dashboard');
  await expect(here.getByTestId('username')).toHaveText(account.username);
  await first.close();
  await second.close();
});

test('an administrator disables a signed-in user, whose tab reaches /login within seconds', async ({ browser }) => {
  const account = { username: 'uma', password: 'uma has a long password' };
  await createAccount(account.username, account.password);
  const adminContext = await browser.newContext();
  const userContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const user = await userContext.newPage();
  await signInWithForm(user, undefined, account);
  // A plain user sees no Users link, and the page refuses even when typed in.
  await expect(user.getByRole('link', { name: 'Users' })).toHaveCount(0);

  await signInWithForm(admin, '/dashboard/users');
  await admin.getByLabel('Search').fill('uma');
  const row = admin.locator('[data-testid="user"][data-username="uma"]');
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('disabled');

  await expect(user).toHaveURL(/\/login/, { timeout: (E2E.sessionCheckSeconds + 6) * 1000 });
  await expect(user.getByRole('status')).toContainText(/disabled|ended/);
  await adminContext.close();
  await userContext.close();
});

test('the navigation is keyboard-accessible and marks the current page', async ({ page }) => {
  await signInWithForm(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Sessions' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/dashboard\/sessions$/);
  await expect(nav.getByRole('link', { name: 'Sessions' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByTestId('audit-event').first()).toBeVisible();
});
