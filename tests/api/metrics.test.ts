// GET /api/metrics: off by default (404), behind METRICS_TOKEN, Prometheus text with the operators'
// counters, and never a secret in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, refresh, signIn } from '../helpers/http';
import { ADMIN, startServer, type TestServer } from '../helpers/server';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ label: 'metrics', env: { METRICS_TOKEN } });
});
afterAll(() => server.stop());

function scrape(token?: string): Promise<Response> {
  return fetch(`${server.url}/api/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe('metrics', () => {
  it('refuses a missing or wrong token with 401', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-of-the-same-length-0123')).status).toBe(401);
  });

  it('counts sign-ins, refreshes, revocations, sessions, latencies and database errors', async () => {
    const tokens = await signIn(server.url, ADMIN.username, ADMIN.password);
    await post(`${server.url}/api/auth/token`, { username: 'admin', password: 'wrong password' });
    const rotated = (await (await refresh(server.url, tokens.refresh_token)).json()) as { refresh_token: string };
    await refresh(server.url, 'not a token');
    await post(`${server.url}/api/auth/logout`, { refresh_token: rotated.refresh_token });

    const response = await scrape(METRICS_TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/staysignedin_sign_ins_total\{outcome="success"\} [1-9]/);
    expect(text).toMatch(/staysignedin_sign_ins_total\{outcome="invalid_credentials"\} [1-9]/);
    expect(text).toMatch(/staysignedin_refreshes_total\{outcome="rotated"\} [1-9]/);
    expect(text).toMatch(/staysignedin_refreshes_total\{outcome="refused"\} [1-9]/);
    expect(text).toMatch(/staysignedin_sessions_revoked_total\{reason="logout"\} [1-9]/);
    expect(text).toMatch(/staysignedin_active_sessions \d+/);
    expect(text).toMatch(
      /staysignedin_http_request_duration_seconds_count\{route="\/api\/auth\/token",method="POST",status="2xx"\} [1-9]/,
    );
    expect(text).toContain('staysignedin_database_errors_total');
    // Never a token, a password or a user in the metrics.
    for (const secret of [tokens.access_token, tokens.refresh_token, ADMIN.password, METRICS_TOKEN]) {
      expect(text).not.toContain(secret);
    }
  });
});
