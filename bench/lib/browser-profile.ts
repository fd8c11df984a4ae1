// Where a page's main thread spends its time: a V8 CPU profile (CDP Profiler) summarised by
// function self time, and a Chromium trace summarised by the renderer main thread's event self time
// (script, style, layout, paint, GC…). Used by `npm run bench -- blotter --profile`.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  pct: number;
  /** Thread CPU time (trace events' thread clock), where known: on a loaded machine `ms` includes waiting for a core. */
  cpu_ms?: number;
}

const ms = (us: number) => Math.round(us / 100) / 10;

function top(totals: Map<string, number>, whole: number, n: number, cpu?: Map<string, number>): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({
      name,
      ms: ms(us),
      pct: Math.round((us / whole) * 1000) / 10,
      ...(cpu ? { cpu_ms: ms(cpu.get(name) ?? 0) } : {}),
    }));
}

/** Self time per function (name and script position), from the samples' time deltas. */
export function cpuProfileSelfTimes(profile: CpuProfile, n = 25): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let whole = 0;
  for (let i = 0; i < samples.length; i += 1) {
    // A sample's time runs until the next sample.
    const us = deltas[i + 1] ?? 0;
    const node = byId.get(samples[i] as number);
    if (!node || us <= 0) continue;
    const f = node.callFrame;
    const file = f.url.split("/").pop() ?? "";
    const key = file ? `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}` : f.functionName;
    totals.set(key, (totals.get(key) ?? 0) + us);
    whole += us;
  }
  return top(totals, whole, n);
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Self time per trace event name on the busiest renderer main thread (complete events only), and
 * that thread's total busy time over the trace's span.
 */
export function traceMainThreadSelfTimes(
  trace: { traceEvents: TraceEvent[] },
  n = 20,
): { busyPct: number; cpuPct: number; top: SelfTime[] } {
  const events = trace.traceEvents;
  const mains = new Set(
    events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`),
  );
  const perThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== "X" || e.dur === undefined || !mains.has(key)) continue;
    const list = perThread.get(key);
    if (list) list.push(e);
    else perThread.set(key, [e]);
  }
  let best: TraceEvent[] = [];
  let bestBusy = -1;
  for (const list of perThread.values()) {
    const busy = list.filter((e) => e.name === "RunTask").reduce((a, e) => a + (e.dur ?? 0), 0);
    if (busy > bestBusy) {
      bestBusy = busy;
      best = list;
    }
  }
  best.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const totals = new Map<string, number>();
  const cpu = new Map<string, number>();
  const stack: { e: TraceEvent; end: number; child: number; childCpu: number }[] = [];
  const close = (until: number) => {
    while (stack.length > 0 && (stack[stack.length - 1]?.end ?? 0) <= until) {
      const f = stack.pop();
      if (!f) break;
      totals.set(f.e.name, (totals.get(f.e.name) ?? 0) + Math.max(0, (f.e.dur ?? 0) - f.child));
      cpu.set(f.e.name, (cpu.get(f.e.name) ?? 0) + Math.max(0, (f.e.tdur ?? 0) - f.childCpu));
    }
  };
  let busyCpu = 0;
  for (const e of best) {
    close(e.ts);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.child += e.dur ?? 0;
      parent.childCpu += e.tdur ?? 0;
    } else busyCpu += e.tdur ?? 0;
    stack.push({ e, end: e.ts + (e.dur ?? 0), child: 0, childCpu: 0 });
  }
  close(Number.POSITIVE_INFINITY);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const e of events) {
    if (e.ts <= 0 || e.ph === "M") continue;
    first = Math.min(first, e.ts);
    last = Math.max(last, e.ts + (e.dur ?? 0));
  }
  const span = last > first ? last - first : 1;
  const pct = (us: number) => Math.round((us / span) * 1000) / 10;
  return { busyPct: pct(bestBusy), cpuPct: pct(busyCpu), top: top(totals, Math.max(1, bestBusy), n, cpu) };
}
