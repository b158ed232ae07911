import { Histogram, Registry, type Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { lightHistogram } from './light-histogram';

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const observations: [string, string, string, number][] = [
  ['/api/auth/me', 'GET', '2xx', 0.003],
  ['/api/auth/me', 'GET', '2xx', 0.01],
  ['/api/auth/me', 'GET', '4xx', 0.2],
  ['/api/auth/refresh', 'POST', '2xx', 3],
  ['/api/auth/refresh', 'POST', '2xx', 0.0049],
  ['other', 'GET', '4xx', 0.5],
];

describe('lightHistogram', () => {
  it("renders exactly as prom-client's own Histogram does for the same observations", async () => {
    const theirs = new Registry();
    const reference = new Histogram({
      name: 'request_seconds',
      help: 'Request durations',
      labelNames: ['route', 'method', 'status'] as const,
      buckets,
      registers: [theirs],
    });
    const ours = new Registry();
    const light = lightHistogram({ name: 'request_seconds', help: 'Request durations', buckets });
    ours.registerMetric(light as unknown as Metric);
    for (const [route, method, status, seconds] of observations) {
      reference.labels({ route, method, status }).observe(seconds);
      light.observe(`${route} ${method} ${status}`, () => ({ route, method, status }), seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('ignores a value that is not a finite number rather than poisoning the sum', async () => {
    const light = lightHistogram({ name: 'request_seconds', help: 'h', buckets });
    light.observe('a', () => ({ route: 'a' }), Number.NaN);
    light.observe('a', () => ({ route: 'a' }), 0.02);
    const { values } = await light.get();
    expect(values.find((value) => value.metricName === 'request_seconds_sum')?.value).toBe(0.02);
    expect(values.find((value) => value.metricName === 'request_seconds_count')?.value).toBe(1);
  });
});
