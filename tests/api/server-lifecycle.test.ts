// Starting and restarting the production server: config validation, bootstrap admin, persistence.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { me, refresh, signIn, type TokenBody } from '../helpers/http';
import { ROOT, tempDir } from '../helpers/paths';
import { ADMIN, startServer } from '../helpers/server';

describe('server start-up', () => {
  it('refuses to start in production with a bad configuration, listing every problem', () => {
    const dir = tempDir('badconfig');
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/run-app.mjs'), 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: '0',
        DATABASE_URL: `file:${path.join(dir, 'app.db')}`,
        AUTH_SECRET: '',
        ACCESS_TOKEN_EXPIRE_MINUTES: 'soon',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/AUTH_SECRET is required in production/);
    expect(result.stderr).toMatch(/ACCESS_TOKEN_EXPIRE_MINUTES must be a number \(got "soon"\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a list, not a stack trace
  });

  it('creates an administrator with a generated password printed once, and never again', async () => {
    const server = await startServer({ label: 'bootstrap', env: { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: '' } });
    try {
      const printed = /with the password:\n\s*│\s+(\S+)/.exec(server.output());
      expect(printed).not.toBeNull();
      await signIn(server.url, 'root', printed![1]!);
      await server.restart();
      expect(server.output().match(/with the password/g)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});

describe('server restart', () => {
  it('keeps sessions working: the same access token, then a refresh', async () => {
    const server = await startServer({ label: 'restart' });
    try {
      const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
      await server.restart();
      expect((await me(server.url, tokens.access_token)).status).toBe(200);
      const response = await refresh(server.url, tokens.refresh_token);
      expect(response.status).toBe(200);
      const next = (await response.json()) as TokenBody;
      expect((await me(server.url, next.access_token)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('keeps sessions across a key rotation when the old secret becomes AUTH_SECRET_PREVIOUS', async () => {
    const server = await startServer({ label: 'keyrotation' });
    try {
      const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
      server.env.AUTH_SECRET_PREVIOUS = server.env.AUTH_SECRET!;
      server.env.AUTH_SECRET = 'a-brand-new-secret-for-the-rotation-test-0123456789';
      await server.restart();
      expect((await me(server.url, tokens.access_token)).status).toBe(200);
      expect((await refresh(server.url, tokens.refresh_token)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
