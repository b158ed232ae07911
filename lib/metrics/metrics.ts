/**
 * Operator metrics in the Prometheus text format (prom-client), served by GET /api/metrics when
 * METRICS_TOKEN is set. One registry per app (lib/server/app.ts builds it once per process).
 * Labels are fixed, small sets: never a user, a session, a token or a path with ids in it.
 */
import 'server-only';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PATHS, routeOf } from '../api/routes';
import type { AuthEvents } from '../auth/deps';

export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    signIns: new Counter({
      name: 'staysignedin_sign_ins_total',
      help: 'Sign-in attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'staysignedin_refreshes_total',
      help: 'Refresh requests by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    revocations: new Counter({
      name: 'staysignedin_sessions_revoked_total',
      help: 'Sessions ended on the server, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    activeSessions: new Gauge({
      name: 'staysignedin_active_sessions',
      help: 'Sessions that have not ended (read from the database at scrape time)',
      registers: [registry],
    }),
    databaseErrors: new Counter({
      name: 'staysignedin_database_errors_total',
      help: 'Requests refused with 503 because the database was busy or unreachable',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'staysignedin_http_request_duration_seconds',
      help: 'Duration of API requests handled by the app, by route and status class',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The auth functions' outcomes, counted. */
export function authEvents(metrics: Metrics): AuthEvents {
  return {
    signIn: (outcome) => metrics.signIns.inc({ outcome }),
    refresh: (outcome) => metrics.refreshes.inc({ outcome }),
    sessionsEnded: (reason, count) => metrics.revocations.inc({ reason }, count),
  };
}

/** Route label with ids replaced, from the route table: a small, fixed set, whatever paths clients send. */
export function routeLabel(pathname: string): string {
  const route = routeOf(pathname);
  return route === null ? 'other' : PATHS[route];
}
