/**
 * The README's screenshots, taken only when asked (npm run screenshots): a test run leaves the
 * working tree as it found it. The "screenshots" project of playwright.config.ts runs this file.
 */
import { expect, test } from '@playwright/test';
import { createAccount } from './accounts';
import { E2E, signInWithForm } from './helpers';

const AT = 'docs/screenshots';

test('takes the screenshots of the sign-in page, the dashboard, the sessions and the users', async ({ browser }) => {
  const account = { username: 'robin', password: 'robin has a long password' };
  await createAccount(account.username, account.password);
  const phone = await browser.newContext({
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  });
  await signInWithForm(await phone.newPage(), undefined, account);

  const laptop = await browser.newContext();
  const page = await laptop.newPage();
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await page.screenshot({ path: `${AT}/login.png` });
  await signInWithForm(page, '/dashboard', account);
  await expect(page.getByTestId('username')).toHaveText(account.username);
  await page.screenshot({ path: `${AT}/dashboard.png` });
  await page.goto('/dashboard/sessions');
  await expect(page.getByTestId('session')).toHaveCount(2);
  await page.screenshot({ path: `${AT}/sessions.png` });

  const admin = await (await browser.newContext()).newPage();
  await signInWithForm(admin, '/dashboard/users');
  await expect(admin.getByTestId('user').first()).toBeVisible();
  await admin.screenshot({ path: `${AT}/users.png` });
  expect(E2E.baseURL).toMatch(/^http/);
});
