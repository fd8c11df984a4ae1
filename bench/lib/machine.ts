import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { hostProbe } from "./host-probe";

export interface MachineInfo {
  nproc: number;
  cpu_model: string;
  mem_total_gb: number;
  node: string;
  /** The V8 flags this process runs with (scripts/bench.mjs gives it the engine's). */
  node_flags: string[];
  platform: string;
  kernel: string;
  loadavg_at_start: number[];
}

export function machineInfo(): MachineInfo {
  let model = os.cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) model = line.split(":").slice(1).join(":").trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    nproc: os.availableParallelism(),
    cpu_model: model,
    mem_total_gb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    node_flags: [
      ...new Set([
        ...process.execArgv.filter((a) => a.startsWith("--") && a !== "--import" && !a.includes("tsx")),
        ...(process.env.NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? []),
      ]),
    ],
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    loadavg_at_start: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

interface CpuTimes {
  busy: number;
  /** Time the hypervisor ran something else while this machine had work (the `steal` column). */
  steal: number;
  total: number;
}

function readProcStat(): CpuTimes | undefined {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = first.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, steal: fields[7] ?? 0, total };
  } catch {
    return undefined;
  }
}

interface ProcTimes {
  ppid: number;
  ticks: number;
}

/** utime+stime (clock ticks) and parent of every process, from /proc/<pid>/stat. */
function readProcesses(): Map<number, ProcTimes> {
  const out = new Map<number, ProcTimes>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function subtree(procs: Map<number, ProcTimes>, rootPid: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const seen = new Set<number>();
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid) || !procs.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return seen;
}

export interface CpuUse {
  /** All in cores (1.0 = one core busy for the whole interval). */
  machine_busy_cores: number;
  bench_process_cores: number;
  postgres_cores: number;
  bench_children_cores: number;
  /**
   * Cores the hypervisor took away while this virtual machine had work: counted in machine_busy_cores,
   * not in other_processes_cores. On a shared host it moves the tail between runs of the same code.
   */
  stolen_cores: number;
  other_processes_cores: number;
  /** host-probe.ts, just before the interval: ms for a fixed piece of work (median, and the fastest). */
  host_probe_ms: number;
  host_probe_min_ms: number;
}

export interface CpuMeter {
  stop(): CpuUse;
}

const CLK_TCK = 100;

/**
 * CPU use over an interval: the machine, this process (load generator + in-process engine), our
 * Postgres (the postmaster's subtree), our other children (the stack's engine and console) and
 * everything else on the machine (other people's work, which disturbs the figures). It first times
 * a fixed piece of work (host-probe.ts, about 40 ms), to say how fast the host was at the start.
 */
export function cpuMeter(postmasterPid?: number): CpuMeter {
  const probe = hostProbe();
  const sys0 = readProcStat();
  const procs0 = readProcesses();
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const sys1 = readProcStat();
      const procs1 = readProcesses();
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const cores = os.availableParallelism();
      const share = (pick: (t: CpuTimes) => number) =>
        sys0 && sys1 && sys1.total > sys0.total ? ((pick(sys1) - pick(sys0)) / (sys1.total - sys0.total)) * cores : Number.NaN;
      const machine = share((t) => t.busy);
      const stolen = share((t) => t.steal);
      const delta = (pids: Iterable<number>) => {
        let ticks = 0;
        for (const pid of pids) ticks += (procs1.get(pid)?.ticks ?? 0) - (procs0.get(pid)?.ticks ?? 0);
        return ticks / CLK_TCK / wallS;
      };
      const pg = postmasterPid ? subtree(procs1, postmasterPid) : new Set<number>();
      const mine = subtree(procs1, process.pid);
      const children = [...mine].filter((p) => p !== process.pid && !pg.has(p));
      const r = (v: number) => Number(v.toFixed(2));
      const bench = delta([process.pid]);
      const postgres = delta(pg);
      const kids = delta(children);
      return {
        machine_busy_cores: r(machine),
        bench_process_cores: r(bench),
        postgres_cores: r(postgres),
        bench_children_cores: r(kids),
        stolen_cores: r(stolen),
        other_processes_cores: r(Math.max(0, machine - bench - postgres - kids - stolen)),
        host_probe_ms: probe.median_ms,
        host_probe_min_ms: probe.min_ms,
      };
    },
  };
}
