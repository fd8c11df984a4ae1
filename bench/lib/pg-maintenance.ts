import pg from "pg";

export interface MaintenanceSeen {
  /** "database: autovacuum: VACUUM public.journal" → seconds it was seen running (sampled). */
  autovacuum: Record<string, number>;
  /** Checkpoints that started during the interval (timed + requested). */
  checkpoints: number;
}

export interface MaintenanceMeter {
  stop(): Promise<MaintenanceSeen>;
}

const SAMPLE_MS = 250;

async function checkpointCount(client: pg.Client): Promise<number> {
  // Postgres 17 moved the counters to pg_stat_checkpointer; older versions keep them in pg_stat_bgwriter.
  const v17 = await client
    .query<{ n: string }>("SELECT (num_timed + num_requested)::text AS n FROM pg_stat_checkpointer")
    .catch(() => undefined);
  if (v17?.rows[0]) return Number(v17.rows[0].n);
  const old = await client.query<{ n: string }>("SELECT (checkpoints_timed + checkpoints_req)::text AS n FROM pg_stat_bgwriter");
  return Number(old.rows[0]?.n ?? 0);
}

/**
 * What Postgres does for itself while a phase runs: autovacuum workers (sampled from pg_stat_activity)
 * and checkpoints. They share the cores and the disk with the journal's commits, so a phase's tail
 * is read beside them.
 */
export async function maintenanceMeter(adminUrl: string): Promise<MaintenanceMeter> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "bench-maintenance-meter" });
  await client.connect();
  const checkpoints0 = await checkpointCount(client);
  const autovacuum: Record<string, number> = {};
  const sample = async () => {
    const { rows } = await client.query<{ datname: string; query: string }>(
      "SELECT datname, query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query <> ''",
    );
    for (const r of rows) {
      const key = `${r.datname}: ${r.query}`;
      autovacuum[key] = (autovacuum[key] ?? 0) + SAMPLE_MS / 1000;
    }
  };
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      const checkpoints = (await checkpointCount(client)) - checkpoints0;
      await client.end();
      return { autovacuum, checkpoints };
    },
  };
}

/** One line for the bench's log: checkpoints, and each autovacuum seen with its seconds. */
export function describeMaintenance(m: MaintenanceSeen): string {
  const vacuums = Object.entries(m.autovacuum).map(([what, seconds]) => `${what} ~${seconds.toFixed(2)} s`);
  return `${m.checkpoints} checkpoint(s); autovacuum ${vacuums.length > 0 ? vacuums.join("; ") : "none seen"}`;
}
