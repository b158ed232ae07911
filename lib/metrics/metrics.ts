/**
 * Operator metrics in the Prometheus text format (prom-client), served by GET /api/metrics when
 * METRICS_TOKEN is set. One registry per process, kept on globalThis: Next.js bundles routes, the
 * middleware and instrumentation separately, and each copy must count into the same registry.
 * Labels are fixed, small sets: never a user, a session, a token or a path with ids in it.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

function create() {
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

export type Metrics = ReturnType<typeof create>;

const KEY = Symbol.for('staysignedin.metrics');

export function metrics(): Metrics {
  const holder = globalThis as unknown as Record<symbol, Metrics | undefined>;
  holder[KEY] ??= create();
  return holder[KEY];
}

export type SignInOutcome = 'success' | 'invalid_credentials' | 'throttled' | 'account_disabled';
export type RefreshOutcome = 'rotated' | 'grace_reissue' | 'reuse_detected' | 'refused';

/** The app's own API routes; every other path (probes, typos, scanners) is one label, "other". */
const ROUTES: [RegExp, string][] = [
  [/^\/api\/auth\/(token|refresh|logout|me|password|sessions)$/, ''],
  [/^\/api\/auth\/sessions\/revoke-others$/, ''],
  [/^\/api\/auth\/sessions\/[^/]+$/, '/api/auth/sessions/:id'],
  [/^\/api\/admin\/users$/, ''],
  [/^\/api\/admin\/users\/[^/]+$/, '/api/admin/users/:id'],
  [/^\/api\/(audit|health|metrics)$/, ''],
];

/** Route label with ids replaced: a small, fixed set, whatever paths clients send. */
export function routeLabel(pathname: string): string {
  for (const [pattern, label] of ROUTES) if (pattern.test(pathname)) return label || pathname;
  return 'other';
}
