// GET /api/metrics: Prometheus text format, for operators. 404 unless METRICS_TOKEN is set; then
// only `Authorization: Bearer $METRICS_TOKEN` is answered.
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { bearerToken } from '@/lib/http/authorization';
import { API_HEADERS } from '@/lib/http/problem';
import { methods, route } from '@/lib/server/routes';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Constant-time comparison: no timing oracle on the token.
  return a.length === b.length && timingSafeEqual(a, b);
}

const handler = route(
  async ({ app, request }) => {
    const expected = app.config.metricsToken;
    if (!expected) throw new AppError('not_found', 'metrics are off (set METRICS_TOKEN to turn them on)');
    const given = bearerToken(request.headers.get('authorization'));
    if (!given || !sameToken(given, expected)) throw new AppError('unauthenticated', 'the metrics token is required');
    const { metrics } = app;
    metrics.activeSessions.set(await app.database.store.countLiveSessions(app.auth.now()));
    if (app.mail) {
      const backlog = await app.database.store.mailBacklog(0);
      metrics.mailBacklog.labels({ state: 'waiting' }).set(backlog.waiting);
      metrics.mailBacklog.labels({ state: 'failed' }).set(backlog.failed);
    }
    return new Response(await metrics.registry.metrics(), {
      headers: { 'Content-Type': metrics.registry.contentType, ...API_HEADERS },
    });
  },
  { bearer: true },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = methods({ GET: handler });

// Every request is answered anew: no static optimisation to try, no render to cache.
export const dynamic = 'force-dynamic';
