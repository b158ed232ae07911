import { expect, test, type Browser, type Page } from '@playwright/test';
import { createAccount } from './accounts';
import { E2E, signInWithForm } from './helpers';

/** E-mail in Chromium, through a real SMTP server (e2e/mail-server.ts) whose inbox the spec reads. */

type Mail = { to: string; subject: string; text: string };

async function mailTo(address: string, subject: string): Promise<Mail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const inbox = (await (await fetch(E2E.inbox)).json()) as Mail[];
    const found = inbox.filter((mail) => mail.to.includes(address) && mail.subject === subject).at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${subject}" for ${address}; the inbox: ${JSON.stringify(inbox)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function linkIn(mail: Mail, path: string): string {
  const link = mail.text.match(/https?:\/\/\S+/g)?.find((url) => new URL(url).pathname === path);
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  return link;
}

async function newSignedInPage(browser: Browser, account: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInWithForm(page, undefined, account);
  return page;
}

test('resets a forgotten password through the link in the mail it receives', async ({ page }) => {
  const account = { username: 'forgetful', password: 'the password I forgot' };
  await createAccount(account.username, account.password, 'user', 'forgetful@example.test');
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Username or e-mail address').fill('forgetful@example.test');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toBeVisible();
  const mail = await mailTo('forgetful@example.test', 'Reset your password');
  await page.goto(linkIn(mail, '/login/reset'));
  // The token leaves the address bar at once.
  await expect(page).toHaveURL(/\/login\/reset$/);
  await page.getByLabel('New password', { exact: true }).fill('a password I will remember');
  await page.getByLabel('New password again').fill('a password I will remember');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('signed-in-as')).toContainText('forgetful');
  // The link worked once.
  await page.goto(linkIn(mail, '/login/reset'));
  await page.getByLabel('New password', { exact: true }).fill('yet another password here');
  await page.getByLabel('New password again').fill('yet another password here');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.locator('#reset-error')).toContainText('already used');
});

test("a sign-in from a new browser is mailed, and 'This wasn't me' sends that browser to /login within seconds", async ({
  browser,
}) => {
  const account = { username: 'watchful', password: 'watchful long password' };
  await createAccount(account.username, account.password, 'user', 'watchful@example.test');
  const mine = await newSignedInPage(browser, account);
  // Another browser (its own device id): the intruder.
  const theirs = await newSignedInPage(browser, account);
  const mail = await mailTo('watchful@example.test', 'New sign-in to your account');
  expect(mail.text).toContain('Chrome');
  // My open session is told too.
  await mine.goto('/dashboard');
  await expect(mine.getByTestId('device-alert')).toBeVisible({ timeout: 10_000 });
  // Following the mail's link (in a third browser, as from a phone's mail app).
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(linkIn(mail, '/login/not-me'));
  // Opening the link (as a mail scanner does) ends nothing: the person presses the button.
  const signOut = phone.getByRole('button', { name: 'Sign that session out' });
  await expect(signOut).toBeVisible();
  await theirs.reload();
  await expect(theirs.getByTestId('signed-in-as')).toContainText('watchful');
  await signOut.click();
  await expect(phone.getByTestId('not-me')).toContainText('That session has ended');
  const endedAt = Date.now();
  await expect(theirs).toHaveURL(/\/login/, { timeout: 10_000 });
  expect(Date.now() - endedAt).toBeLessThan(10_000);
  // Mine is still signed in, and can ask for a reset from there.
  await mine.reload();
  await expect(mine.getByTestId('signed-in-as')).toContainText('watchful');
  await phone.getByRole('button', { name: 'Send me a password-reset link' }).click();
  await expect(phone.getByTestId('not-me-reset-sent')).toBeVisible();
});

test('every dashboard page fits a 390-pixel phone without scrolling sideways', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  // A failed sign-in with a long name, so the activity page has one to show.
  await page.goto('/login');
  await page.getByLabel('Username').fill('someone-with-a-rather-long-username-to-wrap');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('#login-error')).toContainText('Wrong username or password');
  await signInWithForm(page);
  for (const path of [
    '/dashboard',
    '/dashboard/sessions',
    '/dashboard/account',
    '/dashboard/users',
    '/dashboard/audit',
  ]) {
    await page.goto(path);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await page.waitForLoadState('networkidle');
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, path).toBeLessThanOrEqual(innerWidth);
  }
  // The activity page says whose account, who acted, and the name that was tried.
  await page.goto('/dashboard/audit');
  await expect(page.getByTestId('audit-attempted').first()).toHaveText('someone-with-a-rather-long-username-to-wrap');
  await expect(page.getByTestId('audit-account').first()).toBeVisible();
});
