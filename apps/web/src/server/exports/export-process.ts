import { fork } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { type SqlArrays, tradePages, tradeReportQuery } from "../reports/trade-report";
import { tradeColumns } from "./trade-columns";
import { type ExportFormat, type ExportHeading, type ExportResult, writeExport } from "./writers";

/**
 * A trade report export in its own small Node process: it reads the fills with `pg` (rows as arrays,
 * no Prisma), writes the file and reports progress and its result to the console process, which
 * journals it (jobs.ts). The console's memory, its Next.js and Prisma, and its 16 MB semi-spaces
 * are not the export's: the export process starts at about 100 MB and runs with 8 MB semi-spaces.
 * The export benchmark runs this same process (bench/export.ts).
 */
export interface ExportJob {
  databaseUrl: string;
  format: ExportFormat;
  /** The trade report query (validated again here). */
  input: unknown;
  heading: ExportHeading;
  /** The accounts a bound key may see (null: all); the console has already checked the filters against them. */
  accountIds: readonly string[] | null;
  /** Where the file is written. */
  file: string;
}

/** What the export process measured of itself: the figures the export benchmark reports. */
export interface ExportProcessStats {
  /** Peak resident memory of the whole process (getrusage maxrss): Node, tsx, pg, the writer and the export. */
  peakRssMb: number;
  /** Resident memory when the job arrived (the process with its modules loaded, before the export). */
  startRssMb: number;
  /** Peak V8 heap in use plus external memory (buffers), sampled every 50 ms. */
  heapPeakMb: number;
  /** CPU time (user + system) of the job, all threads of the process. */
  cpuSeconds: number;
}

export interface ExportInChildOptions {
  onRow?: (rows: number) => void;
  onStats?: (stats: ExportProcessStats) => void;
  /** More Node flags for the process (the benchmark's --cpu-prof). */
  flags?: readonly string[];
}

type FromChild = { rows: number } | { done: ExportResult; stats: ExportProcessStats } | { error: string };

const ENTRY = fileURLToPath(import.meta.url);
/**
 * A young generation of 8 MB semi-spaces, stated so that a parent's NODE_OPTIONS (the launcher's and
 * the bench's 16 MB, scripts/lib/runtime-flags.mjs) does not apply. Measured at 200,000 fills: XLSX peak RSS 292 / 264 / 242 MB with 32 / 16 / 8 MB
 * semi-spaces, CSV 252 / 225 / 216 MB, CPU the same within the noise of a loaded machine.
 */
const CHILD_FLAGS = ["--max-semi-space-size=8", "--import", "tsx"];
const PAGE_ROWS = 5000;

/** Runs the export in a child process; resolves with what it wrote, rejects with its error. */
export function exportInChild(job: ExportJob, options: ExportInChildOptions = {}): Promise<ExportResult> {
  return new Promise((resolve, reject) => {
    const execArgv = [...(options.flags ?? []), ...CHILD_FLAGS];
    const child = fork(ENTRY, [], { execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    let settled: ExportResult | Error | null = null;
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    child.on("message", (m: FromChild) => {
      if ("rows" in m) options.onRow?.(m.rows);
      else if ("done" in m) {
        settled = m.done;
        options.onStats?.(m.stats);
      } else settled = new Error(m.error);
    });
    child.on("error", (error) => {
      settled ??= error;
    });
    child.on("exit", (code, signal) => {
      if (settled && !(settled instanceof Error)) resolve(settled);
      else reject(settled ?? new Error(`export process exited (${signal ?? code}): ${stderr.trim().split("\n").at(-1) ?? ""}`));
    });
    child.send(job);
  });
}

/** The child's work: the trade report's pages from pg, through writeExport into the file. */
export async function runExportJob(job: ExportJob, progress: (rows: number) => void = () => undefined): Promise<ExportResult> {
  const q = tradeReportQuery.parse(job.input);
  const pool = new pg.Pool({ connectionString: job.databaseUrl, max: 2 });
  try {
    const sql: SqlArrays = async (text, values) => (await pool.query<unknown[]>({ text, values, rowMode: "array" })).rows;
    let reported = 0;
    return await writeExport(
      {
        format: job.format,
        heading: job.heading,
        columns: tradeColumns,
        rows: tradePages(sql, q, job.accountIds),
        onRow: (n) => {
          if (n - reported >= PAGE_ROWS) {
            reported = n;
            progress(n);
          }
        },
      },
      createWriteStream(job.file),
    );
  } finally {
    await pool.end();
  }
}

if (process.argv[1] === ENTRY && process.send) {
  const send = (m: FromChild) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  process.once("message", (job: ExportJob) => {
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const startRss = process.memoryUsage().rss;
    const cpu = process.cpuUsage();
    let heapPeak = 0;
    const sample = () => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed + m.external);
    };
    const sampler = setInterval(sample, 50);
    runExportJob(job, (rows) => void send({ rows }))
      .then((done) => {
        clearInterval(sampler);
        sample();
        const used = process.cpuUsage(cpu);
        const stats: ExportProcessStats = {
          peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
          startRssMb: mb(startRss),
          heapPeakMb: mb(heapPeak),
          cpuSeconds: Math.round((used.user + used.system) / 1e4) / 100,
        };
        return send({ done, stats });
      })
      .catch((error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        clearInterval(sampler);
        process.disconnect();
      });
  });
}
