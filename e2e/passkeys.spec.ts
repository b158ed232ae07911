import { expect, test, type Page } from '@playwright/test';
import { createAccount } from './accounts';
import { ageSignIn, E2E, e2eDatabase, signInWithForm, startSecondServer, storedTokens } from './helpers';

/**
 * Chromium's WebAuthn virtual authenticator: a platform passkey store with user verification. It
 * answers at once, a passkey offered in autofill as well; `autofill: false` makes this page a
 * browser without passkey autofill, so only the button asks.
 */
async function virtualAuthenticator(page: Page, { autofill = false } = {}) {
  if (!autofill) {
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
    });
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function addPasskey(page: Page, name: string) {
  await page.goto('/dashboard/account');
  await page.getByLabel('Name for a new passkey').fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByTestId('passkey').filter({ hasText: name })).toBeVisible();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
}

test('a user registers a passkey, signs out, and signs in with it without typing a password', async ({ page }) => {
  const account = { username: 'penny', password: 'penny has a long password' };
  const userId = await createAccount(account.username, account.password);
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await signInWithForm(page, '/dashboard/account', account);
  await addPasskey(page, 'Laptop');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);

  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);
  // An ordinary session, bound to this browser's key, that says how it signed in.
  const tokens = await storedTokens(page);
  const claims = JSON.parse(Buffer.from(tokens?.refreshToken.split('.')[1] ?? '', 'base64url').toString()) as {
    cnf?: { jkt: string };
  };
  expect(claims.cnf?.jkt).toBeTruthy();
  await page.goto('/dashboard/sessions');
  await expect(page.locator('[data-current="true"]').getByTestId('session-method')).toHaveText('with passkey');

  // Renamed and then deleted from the account page: it signs in no more.
  await page.goto('/dashboard/account');
  await expect(page.getByTestId('passkey')).toContainText('last used');
  page.once('dialog', (dialog) => void dialog.accept('Work laptop'));
  await page.getByTestId('passkey').getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('passkey')).toContainText('Work laptop');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('passkey').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('passkey')).toHaveCount(0);
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#login-error')).not.toBeEmpty();
  expect(await storedTokens(page)).toBeNull();

  // docs/security.md's audit cases done here (tests/api/audit-coverage.test.ts names them).
  const db = e2eDatabase();
  try {
    const types = (
      db.prepare('SELECT "type" FROM "AuditEvent" WHERE "userId" = ?').all(userId) as { type: string }[]
    ).map((row) => row.type);
    const cases = {
      'passkey-register': 'passkey.registered',
      'passkey-rename': 'passkey.renamed',
      'passkey-remove': 'passkey.removed',
    };
    for (const [id, event] of Object.entries(cases)) expect(types, id).toContain(event);
  } finally {
    db.close();
  }
});

test('a passkey answer replayed, or from a passkey whose counter went backwards, signs nobody in', async ({ page }) => {
  const account = { username: 'quinn', password: 'quinn has a long password' };
  const userId = await createAccount(account.username, account.password);
  await virtualAuthenticator(page);
  await signInWithForm(page, '/dashboard/account', account);
  await addPasskey(page, 'Phone');
  await signOut(page);

  const answered = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/auth/passkey');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  const body = (await answered).postData() ?? '';
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);
  // The same answer again: its challenge was taken.
  const replay = await fetch(`${E2E.baseURL}/api/auth/passkey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(replay.status).toBe(401);
  expect(((await replay.json()) as { access_token?: string }).access_token).toBeUndefined();

  // As if a copy of the key had been used ahead of this one: the stored counter is ahead.
  const db = e2eDatabase();
  try {
    db.prepare('UPDATE "Passkey" SET "counter" = 1000000 WHERE "userId" = ?').run(userId);
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.locator('#login-error')).not.toBeEmpty();
    expect(await storedTokens(page)).toBeNull();
    const audited = db
      .prepare('SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "type" = ? AND "userId" = ?')
      .get('passkey.counter_regressed', userId) as { n: number };
    // The 'passkey-counter' case of docs/security.md's audit list.
    expect(audited.n).toBe(1);
  } finally {
    db.close();
  }
});

test('the sign-in page offers passkeys in the username field (autofill): choosing one signs in', async ({ page }) => {
  const account = { username: 'rhea', password: 'rhea has a long password' };
  await createAccount(account.username, account.password);
  await virtualAuthenticator(page, { autofill: true });
  await signInWithForm(page, '/dashboard/account', account);
  await addPasskey(page, 'Tablet');
  await signOut(page);
  // The virtual authenticator chooses the offered passkey at once, as a person would from the list.
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);
  await expect(page.getByLabel('Username')).toHaveCount(0);
});

test('a sensitive action asks for re-authentication, and a passkey gives it without a password', async ({ page }) => {
  const account = { username: 'sora', password: 'sora has a long password' };
  await createAccount(account.username, account.password);
  await virtualAuthenticator(page);
  await signInWithForm(page, '/dashboard/account', account);
  await addPasskey(page, 'Desk');
  await ageSignIn(page, 20);

  page.once('dialog', (dialog) => void dialog.accept('Desk key'));
  await page.getByTestId('passkey').getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('passkey')).toContainText('Desk key');
  // Renaming is not sensitive; deleting is.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('passkey').getByRole('button', { name: 'Delete' }).click();
  const reauth = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(reauth).toBeVisible();
  await reauth.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(reauth).toBeHidden();
  await expect(page.getByTestId('passkey')).toHaveCount(0);
});

test('a passkey answer relayed to a server of another origin is refused there, and stays good where it was made', async ({
  page,
}) => {
  const account = { username: 'tove', password: 'tove has a long password' };
  await createAccount(account.username, account.password);
  await virtualAuthenticator(page);
  await signInWithForm(page, '/dashboard/account', account);
  await addPasskey(page, 'Phone');
  await signOut(page);

  // The browser's answer, caught before it reaches this server (as a phishing page would).
  let answer = '';
  await page.route('**/api/auth/passkey', async (route) => {
    answer = route.request().postData() ?? '';
    await route.abort();
  });
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.locator('#login-error')).not.toBeEmpty();
  expect(answer).toContain('clientDataJSON');

  // The same deployment under another origin: same database, same secret, another APP_ORIGIN.
  const elsewhere = await startSecondServer({ APP_ORIGIN: 'http://127.0.0.1:1' });
  try {
    const relayed = await fetch(`${elsewhere.url}/api/auth/passkey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: answer,
    });
    expect(relayed.status).toBe(401);
  } finally {
    await elsewhere.stop();
  }
  const db = e2eDatabase();
  try {
    const reasons = db
      .prepare('SELECT "detail" FROM "AuditEvent" WHERE "type" = ? ORDER BY "id" DESC LIMIT 1')
      .get('passkey.failure') as { detail: string };
    expect(JSON.parse(reasons.detail)).toEqual({ reason: 'wrong_origin' });
  } finally {
    db.close();
  }
  // Where it was made, the answer signs in: the refusal was the origin's, not the answer's.
  const here = await fetch(`${E2E.baseURL}/api/auth/passkey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: answer,
  });
  expect(here.status).toBe(200);
});
