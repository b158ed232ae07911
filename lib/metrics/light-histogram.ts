/**
 * A Prometheus histogram for the one observation every API request makes (its duration), as a
 * prom-client metric that a Registry renders like its own Histogram.
 *
 * Why not prom-client's Histogram: its `observe` validates and hashes the label set and looks the
 * bucket up by its bound on every call, several µs per request on this stack; here a label set is
 * resolved once to an array of counts, and an observation is a loop over at most ten bounds.
 */
import 'server-only';

type Series = { labels: Record<string, string>; counts: number[]; sum: number; count: number };

export type LightHistogram = {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  /** Counts `value` for the label set `key` names; `labels` is only read the first time. */
  observe(key: string, labels: () => Record<string, string>, value: number): void;
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  }>;
  reset(): void;
};

export function lightHistogram(options: { name: string; help: string; buckets: readonly number[] }): LightHistogram {
  const bounds = [...options.buckets].sort((a, b) => a - b);
  let series = new Map<string, Series>();
  const { name, help } = options;
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    observe(key, labels, value) {
      if (!Number.isFinite(value)) return;
      let entry = series.get(key);
      if (entry === undefined) {
        entry = { labels: labels(), counts: bounds.map(() => 0), sum: 0, count: 0 };
        series.set(key, entry);
      }
      let index = 0;
      while (index < bounds.length && value > (bounds[index] as number)) index++;
      if (index < bounds.length) entry.counts[index] = (entry.counts[index] as number) + 1;
      entry.sum += value;
      entry.count += 1;
    },
    async get() {
      const values = [];
      for (const { labels, counts, sum, count } of series.values()) {
        let cumulative = 0;
        for (const [index, bound] of bounds.entries()) {
          cumulative += counts[index] as number;
          values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${name}_bucket` });
        }
        values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${name}_bucket` });
        values.push({ labels, value: sum, metricName: `${name}_sum` });
        values.push({ labels, value: count, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {
      series = new Map();
    },
  };
}
