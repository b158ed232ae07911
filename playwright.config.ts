import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { IDP_CLIENT } from './tests/helpers/oidc-client';

/**
 * Browser specs run against the production server (the same start script as `npm start`) on a
 * throwaway SQLite file, in Debian's Chromium. Lifetimes are shortened so each flow that spans
 * an access-token lifetime runs in seconds.
 *
 * The config is evaluated in the runner and again in each worker; values that must agree
 * (secret, port, data dir) are created once and inherited through the environment.
 */
process.env.E2E_AUTH_SECRET ??= randomBytes(48).toString('base64url');
process.env.E2E_PORT ??= String(3400 + Math.floor(Math.random() * 500));
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'staysignedin-e2e-'));
process.env.E2E_IDP_PORT ??= String(Number(process.env.E2E_PORT) + 600);
process.env.E2E_SMTP_PORT ??= String(Number(process.env.E2E_PORT) + 1200);
process.env.E2E_MAIL_PORT ??= String(Number(process.env.E2E_PORT) + 1800);

export const E2E = {
  secret: process.env.E2E_AUTH_SECRET,
  databaseUrl: process.env.E2E_DATABASE_URL ?? `file:${path.join(process.env.E2E_DATA_DIR, 'app.db')}`,
  baseURL: `http://localhost:${process.env.E2E_PORT}`,
  /** The OpenID Provider the app's single sign-on goes to (e2e/identity-provider.ts). */
  idp: `http://127.0.0.1:${process.env.E2E_IDP_PORT}`,
  /** What the test SMTP server received, as JSON (e2e/mail-server.ts). */
  inbox: `http://127.0.0.1:${process.env.E2E_MAIL_PORT}/messages`,
  admin: { username: 'admin', password: 'e2e admin password' },
  /** Access tokens live this long in the browser specs. */
  accessTokenSeconds: 12,
  sessionCheckSeconds: 2,
};

const CI = Boolean(process.env.CI);

/** Debian's Chromium; Playwright's own browser download is not available offline. */
const CHROMIUM = {
  executablePath: '/usr/lib/chromium/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  forbidOnly: CI,
  retries: CI ? 1 : 0,
  workers: 2,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: E2E.baseURL,
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      // Screenshots for the README are taken only when asked: npm run screenshots.
      testIgnore: 'screenshots.ts',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: CHROMIUM,
      },
    },
    {
      name: 'screenshots',
      testMatch: 'screenshots.ts',
      use: { ...devices['Desktop Chrome'], launchOptions: CHROMIUM },
    },
  ],
  webServer: [
    {
      // A real OpenID Provider for the single sign-on specs, up before the app discovers it.
      command: 'node --import tsx e2e/identity-provider.ts',
      url: `http://127.0.0.1:${process.env.E2E_IDP_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { E2E_IDP_PORT: process.env.E2E_IDP_PORT, E2E_APP_ORIGIN: `http://localhost:${process.env.E2E_PORT}` },
    },
    {
      // A real SMTP server for the mail specs; what it received, as JSON, for the specs to read.
      command: 'node --import tsx e2e/mail-server.ts',
      url: `http://127.0.0.1:${process.env.E2E_MAIL_PORT}/messages`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { E2E_SMTP_PORT: process.env.E2E_SMTP_PORT, E2E_MAIL_PORT: process.env.E2E_MAIL_PORT },
    },
    {
      command: 'node scripts/run-app.mjs start',
      url: `${E2E.baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        NODE_ENV: 'production',
        PORT: process.env.E2E_PORT,
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? `file:${path.join(process.env.E2E_DATA_DIR, 'app.db')}`,
        DATA_DIR: process.env.E2E_DATA_DIR,
        AUTH_SECRET: E2E.secret,
        ADMIN_USERNAME: E2E.admin.username,
        ADMIN_PASSWORD: E2E.admin.password,
        ACCESS_TOKEN_EXPIRE_MINUTES: String(E2E.accessTokenSeconds / 60),
        CLIENT_SESSION_CHECK_SECONDS: String(E2E.sessionCheckSeconds),
        CLIENT_REQUEST_TIMEOUT_SECONDS: '5',
        // Passkeys are bound to this origin (Chromium's virtual authenticator signs for it).
        APP_ORIGIN: `http://localhost:${process.env.E2E_PORT}`,
        // Single sign-on through e2e/identity-provider.ts (tests/helpers/oidc-provider.ts's client).
        OIDC_ISSUER: `http://127.0.0.1:${process.env.E2E_IDP_PORT}`,
        OIDC_CLIENT_ID: IDP_CLIENT.id,
        OIDC_CLIENT_SECRET: IDP_CLIENT.secret,
        OIDC_DISPLAY_NAME: 'Test IdP',
        OIDC_AUTO_CREATE: 'true',
        // Mail through e2e/mail-server.ts.
        SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
        MAIL_FROM: 'Stay signed in <e2e@example.test>',
        MAIL_RETRY_SECONDS: '2',
      },
    },
  ],
});
