// Revocation reaches live access tokens: once a session ends, its access token stops on routes that
// only have the middleware's check (no database read), at once on the instance that ended it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, refresh, signIn, type TokenBody } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';
import { untilTime } from '../helpers/wait';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    label: 'revocation',
    env: { ENABLE_BENCH_ROUTES: 'true', REFRESH_REUSE_GRACE_SECONDS: '0' },
  });
});
afterAll(() => server.stop());

/** A route behind the middleware's check only: signature, expiry and the revocation feed. */
function middlewareOnly(tokens: TokenBody): Promise<Response> {
  return fetch(`${server.url}/api/bench/protected`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
}

function page(tokens: TokenBody): Promise<Response> {
  return fetch(`${server.url}/dashboard`, {
    headers: { cookie: `staysignedin_access=${tokens.access_token}` },
    redirect: 'manual',
  });
}

describe('revocation on one instance', () => {
  it('stops the access token at once after sign-out, on APIs and pages (rule 8)', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    expect((await middlewareOnly(tokens)).status).toBe(200);
    expect((await page(tokens)).status).toBe(200);
    expect((await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token })).status).toBe(204);
    const refused = await middlewareOnly(tokens);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('the session has ended');
    expect((await page(tokens)).status).toBe(307);
  });

  it('stops the access tokens of a session ended by reuse detection', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    const rotatedAt = Date.now();
    const next = (await (await refresh(server.url, tokens.refresh_token)).json()) as TokenBody;
    // Past the grace window (0 s here): the next use of the old token is a replay.
    await untilTime(rotatedAt + 1);
    expect((await refresh(server.url, tokens.refresh_token)).status).toBe(401); // the replay
    expect((await middlewareOnly(tokens)).status).toBe(401);
    expect((await middlewareOnly(next)).status).toBe(401);
  });

  it('leaves other sessions of the same user alone', async () => {
    const ended = await signIn(server.url, ADMIN.username, ADMIN.password);
    const kept = await signIn(server.url, ADMIN.username, ADMIN.password);
    await post(`${server.url}/api/auth/logout`, { refresh_token: ended.refresh_token });
    expect((await middlewareOnly(kept)).status).toBe(200);
  });

  it('still refuses the ended session after a restart (the feed is loaded from the log)', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    await post(`${server.url}/api/auth/logout`, { refresh_token: tokens.refresh_token });
    await server.restart();
    expect((await middlewareOnly(tokens)).status).toBe(401);
  });
});
