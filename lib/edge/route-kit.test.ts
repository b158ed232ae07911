import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '@/lib/auth/sign-in';
import { revokeSession } from '@/lib/auth/sessions';
import { AppError } from '@/lib/errors';
import { jsonResponse } from '@/lib/http/problem';
import { newDpopKey, dpopProof } from '@/tests/helpers/dpop';
import { LOCAL_ADMIN, LOCAL_ORIGIN, localApp } from '@/tests/helpers/local-app';
import { createUser } from '../users/users';
import { createRouteKit } from './route-kit';

/**
 * The route kit on a hand-built app (a real one, on a throwaway database): what every handler is
 * handed, and what it is refused before it runs. No server.
 */
let local: Awaited<ReturnType<typeof localApp>>;
// The app is looked up when a request comes, as in the server.
const kit = createRouteKit(() => local.app);

beforeAll(async () => {
  local = await localApp();
});
afterAll(() => local.close());

const client = { userAgent: 'test', ip: null };
const none = { params: Promise.resolve({}) };

function get(token?: string, init: RequestInit & { path?: string } = {}): Request {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return new Request(`${LOCAL_ORIGIN}${init.path ?? '/api/test'}`, { ...init, headers });
}

async function tokensFor(username: string, password: string, jkt: string | null = null) {
  const { app } = local;
  const proof = jkt ? { jkt, jti: `jti-${Math.random()}`, iat: 0 } : null;
  return (await signIn(app.auth, { username, password }, client, proof)).pair;
}

const echo = kit.protectedRoute<Record<string, string>>(async ({ caller, client: from, params }) =>
  jsonResponse({ userId: caller.user.id, role: caller.user.role, ip: from.ip, params }),
);

describe('protectedRoute', () => {
  it('hands the handler the caller checked live, the client and the path parameters', async () => {
    const pair = await tokensFor(LOCAL_ADMIN.username, LOCAL_ADMIN.password);
    const response = await echo(get(pair.accessToken), { params: Promise.resolve({ id: 'x1' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ role: 'admin', ip: null, params: { id: 'x1' } });
  });

  it('answers 401 with a Bearer challenge without a token, with a refresh token, and for an ended session', async () => {
    const pair = await tokensFor(LOCAL_ADMIN.username, LOCAL_ADMIN.password);
    const missing = await echo(get(), none);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const refresh = await echo(get(pair.refreshToken), none);
    expect(refresh.headers.get('www-authenticate')).toMatch(/a refresh token was presented/);
    await revokeSession(local.app.auth, (await local.app.auth.tokens.verifyAccess(pair.accessToken)).sid, 'logout');
    const ended = await echo(get(pair.accessToken), none);
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { detail: string }).detail).toBe('the session has ended');
  });

  it('checks the role as stored now, and writes the refusal to the audit log', async () => {
    const { app } = local;
    const user = await createUser(
      { store: app.database.store, passwords: app.passwords },
      {
        username: 'kit-user',
        password: 'kit user password',
      },
    );
    const pair = await tokensFor('kit-user', 'kit user password');
    const adminOnly = kit.protectedRoute(async () => jsonResponse({ ok: true }), { role: 'admin' });
    const refused = await adminOnly(get(pair.accessToken), none);
    expect(refused.status).toBe(403);
    const events = await app.database.store.listAudit({ userId: user.id, type: 'access.denied', limit: 5 });
    expect(events).toHaveLength(1);
  });

  it('refuses a change from a key-bound session without a proof of its key, and takes one with it', async () => {
    const key = await newDpopKey();
    const pair = await tokensFor(LOCAL_ADMIN.username, LOCAL_ADMIN.password, key.jkt);
    const change = kit.protectedRoute(async () => jsonResponse({ changed: true }), { keyProof: true });
    const without = await change(get(pair.accessToken, { method: 'POST' }), none);
    expect(without.status).toBe(401);
    expect(((await without.json()) as { code: string }).code).toBe('invalid_dpop_proof');
    const proof = await dpopProof(key, `${LOCAL_ORIGIN}/api/test`);
    const withKey = await change(get(pair.accessToken, { method: 'POST', headers: { dpop: proof } }), none);
    expect(withKey.status).toBe(200);
  });

  it('answers 503 rather than an unchecked pass while the revocation feed is behind', async () => {
    const pair = await tokensFor(LOCAL_ADMIN.username, LOCAL_ADMIN.password);
    const behind = createRouteKit(() => ({
      ...local.app,
      revocations: { isRevoked: () => false, isCurrent: () => false },
    }));
    const response = await behind.protectedRoute(async () => jsonResponse({}), { live: false })(
      get(pair.accessToken),
      none,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

describe('route', () => {
  it('turns an AppError into its problem, anything else into a bare 500 problem', async () => {
    const failing = kit.route(async () => {
      throw new AppError('conflict', 'already there');
    });
    const conflict = await failing(get(), none);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('application/problem+json');
    expect(await conflict.json()).toMatchObject({
      code: 'conflict',
      detail: 'already there',
      type: '/problems/conflict',
    });
    const crashing = kit.route(async () => {
      throw new Error('SELECT * FROM secrets at /srv/app/lib/db.ts:12');
    });
    const crash = await crashing(get(), none);
    expect(crash.status).toBe(500);
    expect(await crash.text()).not.toMatch(/secrets|\/srv/);
  });

  it('answers the bench routes 404 unless ENABLE_BENCH_ROUTES', async () => {
    const bench = kit.route(async () => jsonResponse({ ok: true }));
    expect((await bench(get(undefined, { path: '/api/bench/open' }), none)).status).toBe(404);
    const enabled = createRouteKit(() => ({ ...local.app, config: { ...local.app.config, benchRoutes: true } }));
    expect(
      (await enabled.route(async () => jsonResponse({ ok: true }))(get(undefined, { path: '/api/bench/open' }), none))
        .status,
    ).toBe(200);
  });

  it('counts every answer in the request-duration metric, by route label and status class', async () => {
    const ok = kit.route(async () => jsonResponse({}));
    await ok(get(undefined, { path: '/api/auth/sessions/abc' }), none);
    const text = await local.app.metrics.registry.metrics();
    expect(text).toMatch(
      /staysignedin_http_request_duration_seconds_count\{route="\/api\/auth\/sessions\/:id",method="GET",status="2xx"\} 1/,
    );
  });
});
