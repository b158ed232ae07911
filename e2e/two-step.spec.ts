import { expect, test, type Page } from '@playwright/test';
import { authenticatorFor, keyFromTyped } from '../tests/helpers/totp';
import { createAccount } from './accounts';
import { ageSignIn, signInWithForm, storedTokens } from './helpers';

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function passwordStep(page: Page, account: { username: string; password: string }) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
}

test('with an authenticator app set up, signing in takes its code, and a recovery code works once', async ({
  page,
}) => {
  const account = { username: 'otto', password: 'otto has a long password' };
  await createAccount(account.username, account.password);
  await signInWithForm(page, '/dashboard/account', account);

  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const app = authenticatorFor(keyFromTyped(await page.getByTestId('totp-key').innerText()));
  await page.getByLabel('The 6-digit code the app shows').fill(await app.next());
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  const codes = page.getByTestId('recovery-codes').locator('code');
  await expect(codes).toHaveCount(10);
  const recovery = await codes.first().innerText();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByTestId('two-step-status')).toContainText('10 recovery codes left');

  // The password alone no longer signs in: no tokens until the code.
  await signOut(page);
  await passwordStep(page, account);
  expect(await storedTokens(page)).toBeNull();
  await page.getByLabel('Authentication code').fill(app.wrong());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#login-error')).toContainText('not right');
  await page.getByLabel('Authentication code').fill(await app.next());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);

  await page.goto('/dashboard/sessions');
  await expect(page.locator('[data-current="true"]').getByTestId('session-method')).toHaveText('with password + code');

  // A recovery code instead of the app, once.
  await signOut(page);
  await passwordStep(page, account);
  await page.getByLabel('Authentication code').fill(recovery);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);
  await signOut(page);
  await passwordStep(page, account);
  await page.getByLabel('Authentication code').fill(recovery);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#login-error')).toContainText('already used');
});

test('changing the password twenty minutes after sign-in asks for re-authentication in place, then goes through', async ({
  page,
}) => {
  const account = { username: 'rosa', password: 'rosa has a long password' };
  await createAccount(account.username, account.password);
  await signInWithForm(page, '/dashboard/account', account);
  const sid = (await storedTokens(page))?.accessToken;
  await ageSignIn(page, 20);

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill('rosa chose another passphrase');
  await page.getByLabel('New password again').fill('rosa chose another passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();

  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password or code').fill('not my password');
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('not right');
  await dialog.getByLabel('Password or code').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('password-changed')).toBeVisible();
  // The change went through once, after the re-authentication: this device is in its new session.
  expect((await storedTokens(page))?.accessToken).not.toBe(sid);
});

test('a sensitive action whose re-authentication is cancelled does nothing and says why', async ({ page }) => {
  const account = { username: 'cato', password: 'cato has a long password' };
  await createAccount(account.username, account.password);
  const other = await page.context().browser()!.newContext();
  await signInWithForm(await other.newPage(), undefined, account);
  await signInWithForm(page, '/dashboard/sessions', account);
  await expect(page.getByTestId('session')).toHaveCount(2);
  await ageSignIn(page, 20);

  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('confirm it is you to continue')).toBeVisible();
  await expect(page.getByTestId('session')).toHaveCount(2);

  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await dialog.getByLabel('Password or code').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByTestId('session')).toHaveCount(1);
  await other.close();
});
