import { expect, type BrowserContext, type Page, type Request } from '@playwright/test';
import Sqlite from 'better-sqlite3';
import type { StoredTokens } from '../lib/client/token-store';
import { E2E } from '../playwright.config';

export { E2E };

export type { StoredTokens };

/** Signs in through the form (optionally arriving with ?next=) and waits for the dashboard. */
export async function signInWithForm(
  page: Page,
  next?: string,
  account: { username: string; password: string } = E2E.admin,
): Promise<void> {
  await page.goto(next === undefined ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(account.username);
}

export function storedTokens(page: Page): Promise<StoredTokens | null> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('staysignedin.tokens') ?? 'null') as StoredTokens | null);
}

/** Records the requests to one API path made by a page or a whole context (every tab). */
export function recordRequests(target: Page | BrowserContext, path: string): Request[] {
  const seen: Request[] = [];
  target.on('request', (request) => {
    if (new URL(request.url()).pathname === path) seen.push(request);
  });
  return seen;
}

/** Every API response status, to prove a flow ran without a 401. */
export function recordStatuses(target: Page | BrowserContext): { path: string; status: number }[] {
  const seen: { path: string; status: number }[] = [];
  target.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/api/')) seen.push({ path: pathname, status: response.status() });
  });
  return seen;
}

/** Tab A signed in through the form, tab B opened on the dashboard of the same browser profile. */
export async function twoSignedInTabs(context: BrowserContext): Promise<{ a: Page; b: Page }> {
  const a = await context.newPage();
  await signInWithForm(a);
  const b = await context.newPage();
  await b.goto('/dashboard');
  await expect(b.getByTestId('username')).toHaveText(E2E.admin.username);
  return { a, b };
}

export { until, untilTime } from '../tests/helpers/wait';

/**
 * When every tab has had its chance to refresh the given tokens: past the followers' backstop
 * timer (lib/client/refresh-coordinator.ts: halfway between the leader's due time and expiry,
 * plus up to 10 % of the lead in jitter). A second refresh of these tokens would have happened by
 * then; the next tokens are not due yet.
 */
export function everyTabHadItsTurn(tokens: StoredTokens): number {
  const lead = Math.min(300_000, (tokens.accessExpiresAt - tokens.receivedAt) / 2);
  return tokens.accessExpiresAt - lead / 2 + lead * 0.1 + 200;
}

/** With the refresh endpoint answering again: the browser coming back online refreshes, and the banner goes. */
export async function recoverRefresh(page: Page): Promise<void> {
  const recovered = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.status() === 200, {
    timeout: 30_000,
  });
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await recovered;
  await expect(page.getByTestId('reconnecting')).toBeHidden();
}

/** The e2e server's own SQLite file, opened beside it (it waits for the server's writes). */
export function e2eDatabase(): Sqlite.Database {
  const db = new Sqlite(E2E.databaseUrl.replace(/^file:/, ''));
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Makes this browser's session look signed in `minutes` ago, in the e2e server's own SQLite file
 * (the server reads the row on every sensitive action), for the re-authentication specs.
 */
export async function ageSignIn(page: Page, minutes: number): Promise<void> {
  const tokens = await storedTokens(page);
  if (!tokens) throw new Error('no session stored in this page');
  const payload = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
    sid: string;
  };
  const db = e2eDatabase();
  try {
    const at = new Date(Date.now() - minutes * 60_000).toISOString().replace('Z', '+00:00');
    db.prepare('UPDATE "Session" SET "authTime" = ? WHERE "id" = ?').run(at, payload.sid);
  } finally {
    db.close();
  }
}

/**
 * A second server on the e2e database, with its own settings (another APP_ORIGIN, say), for specs
 * that need two views of one deployment. Stopped by its process group, never by name.
 */
export async function startSecondServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const port = Number(process.env.E2E_PORT) + 1;
  // The server itself, as scripts/run-app.mjs starts it, without its migration step: the e2e
  // server migrated this database and holds it open.
  const child = spawn(
    process.execPath,
    ['--require', './lib/preload/preload.cjs', 'node_modules/next/dist/bin/next', 'start'],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Not the test worker's environment: its NODE_OPTIONS load Playwright's TypeScript hooks.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: E2E.databaseUrl,
        AUTH_SECRET: E2E.secret,
        ADMIN_USERNAME: E2E.admin.username,
        ADMIN_PASSWORD: E2E.admin.password,
        ...env,
      },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`the second server exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error('the second server did not become healthy');
}
