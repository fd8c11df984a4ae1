/** Just enough Prometheus text parsing to diff the engine's journal histograms between two scrapes. */

export type Scrape = Map<string, number>;

export async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const out: Scrape = new Map();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

export interface HistogramDelta {
  count: number;
  sum: number;
  mean: number;
  /** Upper bucket bound holding the given quantile (Prometheus buckets: an upper bound, not exact). */
  quantileUpperBound(q: number): number;
}

export function histogramDelta(before: Scrape, after: Scrape, name: string): HistogramDelta {
  const d = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const count = d(`${name}_count`);
  const sum = d(`${name}_sum`);
  const buckets: { le: number; n: number }[] = [];
  for (const key of after.keys()) {
    const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(key);
    if (m?.[1]) buckets.push({ le: m[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[1]), n: d(key) });
  }
  buckets.sort((a, b) => a.le - b.le);
  return {
    count,
    sum,
    mean: count > 0 ? sum / count : Number.NaN,
    quantileUpperBound(q) {
      const target = q * count;
      for (const b of buckets) if (b.n >= target) return b.le;
      return Number.POSITIVE_INFINITY;
    },
  };
}

export interface JournalFigures {
  commits: number;
  events: number;
  mean_batch_events: number;
  p99_batch_events_le: number;
  mean_commit_ms: number;
  p50_commit_ms_le: number;
  p99_commit_ms_le: number;
  /** The writer thread's own share of a commit (chaining, statement, Postgres): the rest is waiting for threads. */
  mean_write_ms: number;
  p99_write_ms_le: number;
}

export function journalFigures(before: Scrape, after: Scrape): JournalFigures {
  const batch = histogramDelta(before, after, "fillmore_journal_batch_size");
  const commit = histogramDelta(before, after, "fillmore_journal_commit_seconds");
  const write = histogramDelta(before, after, "fillmore_journal_write_seconds");
  const r = (v: number, k = 2) => Number(v.toFixed(k));
  return {
    commits: batch.count,
    events: batch.sum,
    mean_batch_events: r(batch.mean, 1),
    p99_batch_events_le: batch.quantileUpperBound(0.99),
    mean_commit_ms: r(commit.mean * 1000, 3),
    p50_commit_ms_le: r(commit.quantileUpperBound(0.5) * 1000, 1),
    p99_commit_ms_le: r(commit.quantileUpperBound(0.99) * 1000, 1),
    mean_write_ms: r(write.mean * 1000, 3),
    p99_write_ms_le: r(write.quantileUpperBound(0.99) * 1000, 1),
  };
}

/** The engine's full collections between two scrapes of its /metrics (prom-client's gc histogram: its event loop's heap only). */
export interface EngineGcFigures {
  full: number;
  full_ms_total: number;
}

export function engineGcFigures(before: Scrape, after: Scrape): EngineGcFigures {
  const key = (part: "count" | "sum") => `fillmore_engine_nodejs_gc_duration_seconds_${part}{kind="major"}`;
  const d = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  return { full: d(key("count")), full_ms_total: Number((d(key("sum")) * 1000).toFixed(1)) };
}
