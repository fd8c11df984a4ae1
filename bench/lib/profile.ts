import { Session } from "node:inspector/promises";
import path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The V8 sampling profiler of this process, through the inspector (same data as `node --cpu-prof`). */
export async function startProfiler(intervalUs = 200): Promise<() => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

export interface ProfileRow {
  fn: string;
  where: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  total_ms: number;
  top_self: ProfileRow[];
  top_inclusive: ProfileRow[];
  by_area_self: { area: string; ms: number; pct: number }[];
}

function where(frame: CallFrame, root: string): string {
  if (!frame.url) return "(native)";
  let file = frame.url.replace(/^file:\/\//, "");
  const nm = file.lastIndexOf("node_modules/");
  if (nm >= 0) file = file.slice(nm + "node_modules/".length);
  else if (file.startsWith(root)) file = path.relative(root, file);
  // tsx emits each module on one line: a line number says nothing there.
  return frame.lineNumber > 0 ? `${file}:${frame.lineNumber + 1}` : file;
}

/** Which part of the system a frame belongs to, for a coarse breakdown of self time. */
function area(frame: CallFrame, root: string): string {
  const w = where(frame, root);
  if (frame.functionName === "(garbage collector)") return "GC";
  if (frame.functionName === "(idle)" || frame.functionName === "(program)") return frame.functionName;
  if (w.startsWith("pg") || w.startsWith("pg-protocol") || w.startsWith("pg-types")) return "pg driver";
  if (w.startsWith("apps/engine/src/journal/hash")) return "journal: hash/canonical JSON";
  if (w.startsWith("apps/engine/src/journal")) return "journal: batch/projection";
  if (w.startsWith("apps/engine/src/orders")) return "order manager";
  if (w.startsWith("apps/engine/src/venues")) return "sim venue";
  if (w.startsWith("packages/shared")) return "shared: state machine/money";
  if (w.startsWith("big.js")) return "big.js decimals";
  if (w.startsWith("bench/")) return "benchmark driver";
  if (w.startsWith("node:") || w === "(native)") return "node core/native";
  return "other";
}

export function summarizeProfile(profile: CpuProfile, root: string, top = 15): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, { frame: CallFrame; us: number }>();
  const incl = new Map<string, { frame: CallFrame; us: number }>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  const key = (f: CallFrame) => `${f.functionName}@${f.url}:${f.lineNumber}`;
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    // V8 attributes each delta to the sample after it; the difference is one sampling interval.
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const k = key(node.callFrame);
    const s = self.get(k) ?? { frame: node.callFrame, us: 0 };
    s.us += us;
    self.set(k, s);
    const a = area(node.callFrame, root);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || f.functionName === "(root)") continue;
      const fk = key(f);
      if (seen.has(fk)) continue;
      seen.add(fk);
      const e = incl.get(fk) ?? { frame: f, us: 0 };
      e.us += us;
      incl.set(fk, e);
    }
  }
  const row = ({ frame, us }: { frame: CallFrame; us: number }): ProfileRow => ({
    fn: frame.functionName || "(anonymous)",
    where: where(frame, root),
    ms: Math.round(us / 1000),
    pct: Number(((us / totalUs) * 100).toFixed(1)),
  });
  const rank = (m: Map<string, { frame: CallFrame; us: number }>, filter: (f: CallFrame) => boolean) =>
    [...m.values()]
      .filter((e) => filter(e.frame))
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(row);
  const interesting = (f: CallFrame) => f.url.includes("/apps/") || f.url.includes("/packages/") || f.url.includes("node_modules/pg");
  return {
    total_ms: Math.round(totalUs / 1000),
    top_self: rank(self, () => true),
    top_inclusive: rank(incl, interesting),
    by_area_self: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([a, us]) => ({ area: a, ms: Math.round(us / 1000), pct: Number(((us / totalUs) * 100).toFixed(1)) })),
  };
}
