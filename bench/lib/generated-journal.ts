import { performance } from "node:perf_hooks";
import type pg from "pg";

/**
 * A journal of `events` generated in SQL (generate_series), shaped like the engine's: per order
 * OrderReceived, RouteDecided, OrderSubmitted, OrderAccepted, OrderFilled, over 3 accounts, 6 symbols,
 * 4 strategies and 5 actors; one event in 50 an AlertRaised of no order; one event per millisecond from
 * 2026-01-01. Hashes are placeholders (the chain is not verified). Used by the audit-search and export
 * benchmarks. Event i of order o: seq = o*5 + i + 1.
 *
 * Loaded fast, into the same table with the same indexes: the journal's secondary indexes (every one
 * the migrations made, read from pg_indexes) are dropped, the rows inserted in `parallel` seq ranges
 * on their own connections (the primary key stays: seq arrives in order), then each index is created
 * again from its own definition (a logged, ordinary index, as the migrations leave it) and the table
 * analysed. 1,000,000 events: 38-41 s here at load 6-7 (insert 20 s, the 12 indexes 17-20 s), where
 * inserting under the indexes took 82 s at load 8.
 */
export async function loadGeneratedJournal(
  pool: pg.Pool,
  events: number,
  options: { parallel?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const parallel = options.parallel ?? 2;
  const log = options.log ?? (() => undefined);
  let t0 = performance.now();
  const lap = (what: string) => {
    log(`journal: ${what} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
  };
  const { rows: indexes } = await pool.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = 'journal'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const index of indexes) await pool.query(`DROP INDEX ${index.name}`);
  const per = Math.ceil(events / parallel);
  await Promise.all(
    Array.from({ length: parallel }, (_, i) => [i * per + 1, Math.min(events, (i + 1) * per)] as const)
      .filter(([from, to]) => from <= to)
      .map(([from, to]) => insertRange(pool, from, to)),
  );
  lap(`${events.toLocaleString("en-US")} events inserted (${parallel} connections, ${indexes.length} secondary indexes dropped)`);
  await pool.query("SET maintenance_work_mem = '256MB'");
  for (const index of indexes) await pool.query(index.def);
  lap(`${indexes.length} indexes created`);
  await pool.query("ANALYZE journal");
}

async function insertRange(pool: pg.Pool, from: number, to: number): Promise<void> {
  const client = await pool.connect();
  try {
    // Only this loading session: a crash would lose generated rows, which are generated again.
    await client.query("SET synchronous_commit = off");
    await insertEvents(client, from, to);
  } finally {
    client.release();
  }
}

async function insertEvents(client: pg.PoolClient, from: number, to: number): Promise<void> {
  await client.query(
    `INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash)
     SELECT seq, ts, type, CASE WHEN type = 'AlertRaised' THEN NULL ELSE oid END, CASE WHEN type = 'AlertRaised' THEN NULL ELSE acc END, actor,
       jsonb_build_object('seq', seq, 'ts', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'monoUs', seq, 'type', type,
         'orderId', CASE WHEN type = 'AlertRaised' THEN NULL ELSE oid END, 'accountId', CASE WHEN type = 'AlertRaised' THEN NULL ELSE acc END, 'actor', actor,
         'data', CASE type
           WHEN 'OrderReceived' THEN jsonb_build_object('order', jsonb_build_object('orderId', oid, 'clOrdId', 'C-' || o, 'accountId', acc,
             'symbol', sym, 'side', 'Buy', 'ordType', 'Market', 'orderQty', '10', 'timeInForce', 'DAY', 'strategy', strat))
           WHEN 'RouteDecided' THEN jsonb_build_object('policy', 'lowestCost', 'reason', 'lowest cost', 'venueId', 'SIM-FAST', 'considered', '[]'::jsonb)
           WHEN 'OrderSubmitted' THEN jsonb_build_object('venueId', 'SIM-FAST', 'venueOrderId', 'V-' || o)
           WHEN 'OrderAccepted' THEN jsonb_build_object('venueOrderId', 'V-' || o)
           WHEN 'OrderFilled' THEN jsonb_build_object('execId', 'E-' || o, 'venueId', 'SIM-FAST', 'lastQty', '10', 'lastPx', '189.50')
           ELSE jsonb_build_object('code', 'VENUE_DOWN', 'message', 'SIM-SLOW is down') END),
       repeat('0', 64), md5(seq::text) || md5(seq::text)
     FROM (
       SELECT s AS seq, (s - 1) / 5 AS o, 'O' || ((s - 1) / 5) AS oid,
         (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[((s - 1) / 5) % 3 + 1] AS acc,
         (ARRAY['AAPL','MSFT','NVDA','TSLA','SPY','EURUSD'])[((s - 1) / 5) % 6 + 1] AS sym,
         (ARRAY['S-MOM','S-MR','S-PAIRS','S-VWAP'])[((s - 1) / 5) % 4 + 1] AS strat,
         CASE WHEN s % 50 = 0 THEN 'AlertRaised' ELSE (ARRAY['OrderReceived','RouteDecided','OrderSubmitted','OrderAccepted','OrderFilled'])[(s - 1) % 5 + 1] END AS type,
         CASE WHEN (s - 1) % 5 = 0 THEN (ARRAY['user:t1@x','user:t2@x','key:k1','key:k2','key:k3'])[((s - 1) / 5) % 5 + 1]
              WHEN (s - 1) % 5 = 1 THEN 'router' ELSE 'venue:SIM-FAST' END AS actor,
         timestamptz '2026-01-01T00:00:00Z' + (s * interval '1 millisecond') AS ts
       FROM generate_series($1::bigint, $2::bigint) s
     ) g`,
    [from, to],
  );
}
