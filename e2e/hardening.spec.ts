import { expect, test } from '@playwright/test';
import { E2E, signInWithForm } from './helpers';

// The worst `next` values: each normalises to "//elsewhere.example" in a naive check.
const HOSTILE_NEXT = [
  '/.//elsewhere.example',
  '/..//elsewhere.example',
  '/%2e//elsewhere.example',
  '/\\elsewhere.example',
];

for (const next of HOSTILE_NEXT) {
  test(`restoring a stored session on /login?next=${next} stays on this site`, async ({ page }) => {
    await signInWithForm(page);
    // A link somebody sent: the session is restored from storage with no click at all.
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await expect(page).toHaveURL(/\/dashboard$/);
    expect(new URL(page.url()).origin).toBe(E2E.baseURL);
    await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
  });
}

test('the Content-Security-Policy stops injected inline scripts and event handlers, while the app runs', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await signInWithForm(page);
  const ran = await page.evaluate(async () => {
    const flags = window as unknown as Record<string, boolean>;
    // What an HTML injection would add: markup with inline handlers, a javascript: URL, a framed
    // document with an inline script (it inherits this page's policy).
    const holder = document.createElement('div');
    holder.innerHTML =
      '<img src="data:," onload="window.__injectedHandler = true" onerror="window.__injectedHandler = true">' +
      '<iframe srcdoc="<script>parent.__injectedScript = true</script>"></iframe>';
    // Each injection has had its chance once its element has loaded (an inline handler runs before
    // a listener added here; a framed script before its frame's load) and the policy has refused the
    // javascript: URL.
    const happened = (target: EventTarget, ...types: string[]) =>
      new Promise((resolve) => types.forEach((type) => target.addEventListener(type, resolve, { once: true })));
    const imageDone = happened(holder.querySelector('img')!, 'load', 'error');
    const frameDone = happened(holder.querySelector('iframe')!, 'load');
    document.body.appendChild(holder);
    const link = document.createElement('a');
    link.href = 'javascript:window.__injectedUrl = true';
    document.body.appendChild(link);
    const urlRefused = happened(document, 'securitypolicyviolation');
    link.click();
    await Promise.all([imageDone, frameDone, urlRefused]);
    return {
      script: flags.__injectedScript === true,
      handler: flags.__injectedHandler === true,
      url: flags.__injectedUrl === true,
    };
  });
  expect(ran).toEqual({ script: false, handler: false, url: false });
  expect(violations.length).toBeGreaterThan(0);
  // The app's own (nonce-carrying) scripts still run: the dashboard is live.
  await expect(page.getByTestId('username')).toHaveText(E2E.admin.username);
});
