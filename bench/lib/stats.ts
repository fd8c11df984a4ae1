/** Exact percentiles over recorded samples (sorted copy, nearest rank). */

export interface Summary {
  n: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

const round = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    n: arr.length,
    mean_ms: round(arr.length ? sum / arr.length : Number.NaN),
    p50_ms: round(percentile(arr, 0.5)),
    p90_ms: round(percentile(arr, 0.9)),
    p99_ms: round(percentile(arr, 0.99)),
    p999_ms: round(percentile(arr, 0.999)),
    max_ms: round(arr[arr.length - 1] ?? Number.NaN),
  };
}

export function fmt(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return v.toFixed(digits);
}
