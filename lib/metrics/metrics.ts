/**
 * Operator metrics in the Prometheus text format (prom-client), served by GET /api/metrics when
 * METRICS_TOKEN is set. One registry per app (lib/server/app.ts builds it once per process).
 * Labels are fixed, small sets: never a user, a session, a token or a path with ids in it.
 */
import 'server-only';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { PATHS, type RouteName } from '../api/routes';
import type { AuthEvents } from '../auth/deps';
import { lightHistogram } from './light-histogram';

/**
 * A metric's child for one label set, made once and then looked up by a string key: labelling
 * each observation anew hashes and checks its labels every time, on every request.
 */
function childCache<C>(): (key: string, make: () => C) => C {
  const children = new Map<string, C>();
  return (key, make) => {
    let child = children.get(key);
    if (child === undefined) {
      child = make();
      children.set(key, child);
    }
    return child;
  };
}

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export function createMetrics() {
  const registry = new Registry();
  // Observed by every API request: lighter than prom-client's Histogram (light-histogram.ts).
  const requestDuration = lightHistogram({
    name: 'staysignedin_http_request_duration_seconds',
    help: 'Duration of API requests handled by the app, by route and status class',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  registry.registerMetric(requestDuration as unknown as Metric);
  return {
    registry,
    requestDuration,
    /** One API request: its route label (from the route table), method, status and seconds. */
    observeRequest(route: string, method: string, status: number, seconds: number): void {
      const statusClass = STATUS_CLASSES[Math.floor(status / 100)] ?? 'other';
      requestDuration.observe(
        `${route} ${method} ${statusClass}`,
        () => ({ route, method, status: statusClass }),
        seconds,
      );
    },
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
    secondFactors: new Counter({
      name: 'staysignedin_second_factor_events_total',
      help: 'Second factors and re-authentication: enrolments, removals, uses, failures, by event',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    mail: new Counter({
      name: 'staysignedin_mail_total',
      help: 'Mail delivery attempts by outcome: sent, retry (will be tried again), failed (given up)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    mailBacklog: new Gauge({
      name: 'staysignedin_mail_outbox',
      help: 'Messages in the outbox (read from the database at scrape time): waiting, or failed (given up)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    databaseErrors: new Counter({
      name: 'staysignedin_database_errors_total',
      help: 'Requests refused with 503 because the database was busy or unreachable',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A counter's child for one value of its one label, made once (childCache). */
function byLabel<L extends string>(counter: Counter<L>, label: L) {
  const child = childCache<ReturnType<Counter<L>['labels']>>();
  return (value: string) => child(value, () => counter.labels({ [label]: value } as Record<L, string>));
}

/** The auth functions' outcomes, counted. */
export function authEvents(metrics: Metrics): AuthEvents {
  const signIn = byLabel(metrics.signIns, 'outcome');
  const refresh = byLabel(metrics.refreshes, 'outcome');
  const ended = byLabel(metrics.revocations, 'reason');
  const secondFactor = byLabel(metrics.secondFactors, 'event');
  return {
    signIn: (outcome) => signIn(outcome).inc(),
    refresh: (outcome) => refresh(outcome).inc(),
    sessionsEnded: (reason, count) => ended(reason).inc(count),
    secondFactor: (event) => secondFactor(event).inc(),
  };
}

/** The label of a route of the table (its path pattern), or 'other': a small, fixed set. */
export function labelOf(route: RouteName | null): string {
  return route === null ? 'other' : PATHS[route];
}
