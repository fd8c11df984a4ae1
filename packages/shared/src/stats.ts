/**
 * Venue comparison statistics over per-order figures (bps): mean, sample standard deviation,
 * standard error, Student-t 95 % confidence intervals and Welch's difference of means
 * (docs/EXECUTION-QUALITY.md, "Comparing venues"; the engine and the console). These are statistics, not money: binary
 * floating point is fine here, and results are rounded for display (4 dp).
 */

/** Fillmore's default: rank venues only with at least this many orders per cell. */
export const MIN_RANK_SAMPLE = 30;

export interface SampleStats {
  n: number;
  mean: number;
  sd: number;
  se: number;
  /** t(0.975, n − 1). */
  t: number;
  ci: [number, number];
  /** n < MIN_RANK_SAMPLE: shown, flagged, never ranked. */
  lowSample: boolean;
}

export interface WelchResult {
  /** x̄_B − x̄_A. */
  diff: number;
  se: number;
  df: number;
  t: number;
  ci: [number, number];
  tStat: number;
  /** Two-sided. */
  p: number;
  /** The CI excludes 0 and both samples are large enough. */
  rankable: boolean;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i += 1) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m += 1) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Student-t CDF with (real) df degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Student-t quantile, by bisection on the CDF. */
export function tQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200; i += 1) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function sampleStats(values: readonly number[]): SampleStats {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return summaryStats(n, mean, sd);
}

/** The same figures from a sample's summary (n, mean, sample sd), e.g. what an SQL aggregate returns. */
export function summaryStats(n: number, mean: number, sd: number): SampleStats {
  const se = sd / Math.sqrt(n);
  const t = n > 1 ? tQuantile(0.975, n - 1) : Number.NaN;
  return { n, mean, sd, se, t, ci: [mean - t * se, mean + t * se], lowSample: n < MIN_RANK_SAMPLE };
}

/** Σw·x / Σw (share- or notional-weighted mean). */
export function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    const w = weights[i] ?? 0;
    num += w * v;
    den += w;
  });
  return num / den;
}

/** Welch's difference of means B − A with Welch–Satterthwaite degrees of freedom (Welch 1947). */
export function welch(a: SampleStats, b: SampleStats): WelchResult {
  const va = a.sd ** 2 / a.n;
  const vb = b.sd ** 2 / b.n;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const diff = b.mean - a.mean;
  const t = tQuantile(0.975, df);
  const ci: [number, number] = [diff - t * se, diff + t * se];
  const tStat = diff / se;
  const p = 2 * (1 - tCdf(Math.abs(tStat), df));
  return { diff, se, df, t, ci, tStat, p, rankable: !a.lowSample && !b.lowSample && (ci[0] > 0 || ci[1] < 0) };
}
