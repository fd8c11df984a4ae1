// `npm run bench -- audit-as-of [--events N] [--quick]`
//
// The book as of T (apps/engine/src/audit/as-of.ts) and the chain's verification over a journal of
// about N events (default 1,000,000; --quick 100,000), each on the audit worker thread the engine
// uses (apps/engine/src/audit/audit-thread.ts): the first page of the book at the journal's head
// (a full replay), the next page of the same moment (the kept book), a filtered page (account + status)
// and GET /v1/audit/verify's check. The journal: an engine (the test harness, embedded Postgres)
// takes one market order, stops, and that order's six events are copied N/6 times with real hashes
// (bench/lib/order-copies.ts), so everything replays and verifies as the engine's own. Peak memory:
// the process's max RSS (the worker's heap included). Results: bench/results/audit-as-of.json.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { asOfQuery } from "../apps/engine/src/audit/as-of";
import { AuditThread } from "../apps/engine/src/audit/audit-thread";
import { createHarness, until } from "../apps/engine/test/harness";
import { machineInfo } from "./lib/machine";
import { appendOrderCopies } from "./lib/order-copies";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const eventsArg = argv.indexOf("--events");
const EVENTS = eventsArg >= 0 ? Number(argv[eventsArg + 1]) : QUICK ? 100_000 : 1_000_000;
const root = path.resolve(import.meta.dirname, "..");

const h = await createHarness();
try {
  await h.start();
  const placed = await h.api("/v1/orders", {
    body: {
      actor: "user:bench@x.test",
      order: {
        clOrdId: "BENCH-1",
        accountId: "ACC-ALPHA",
        symbol: "AAPL",
        side: "Buy",
        ordType: "Market",
        orderQty: "10",
        timeInForce: "DAY",
      },
    },
  });
  const orderId = placed.json.order.orderId as string;
  await until(async () => ((await h.api(`/v1/orders/${orderId}`)).json.order.ordStatus === "Filled" ? true : undefined), 10_000);
  await h.engine?.stop();
  h.engine = undefined;
  const perOrder = Number((await h.pool.query("SELECT count(*)::int AS n FROM journal WHERE order_id = $1", [orderId])).rows[0].n);
  let t0 = performance.now();
  const { head } = await appendOrderCopies(h.pool, orderId, Math.ceil(EVENTS / perOrder), { log: console.log });
  await h.pool.query("VACUUM ANALYZE journal");
  const loadS = (performance.now() - t0) / 1000;
  console.log(`journal: ${head.toLocaleString("en-US")} events (${perOrder} per order) appended in ${loadS.toFixed(1)} s`);

  const thread = new AuditThread({ databaseUrl: h.db.url });
  const timed = async <T>(what: string, run: () => Promise<T>): Promise<[number, T]> => {
    t0 = performance.now();
    const value = await run();
    const s = (performance.now() - t0) / 1000;
    console.log(`${what.padEnd(44)} ${s.toFixed(2).padStart(8)} s`);
    return [s, value];
  };
  const [firstS, first] = await timed("as-of at the head, first page (replay)", () =>
    thread.asOf(asOfQuery.parse({ seq: head, limit: 100 })),
  );
  const [nextS] = await timed("as-of, the next page (kept book)", () =>
    thread.asOf(asOfQuery.parse({ seq: head, limit: 100, offset: 100 })),
  );
  const [filteredS, filtered] = await timed("as-of, filtered (account + status)", () =>
    thread.asOf(asOfQuery.parse({ seq: head, limit: 100, accountId: ["ACC-ALPHA"], status: ["Filled"] })),
  );
  const [midS] = await timed("as-of mid-journal (a second replay)", () =>
    thread.asOf(asOfQuery.parse({ seq: Math.floor(head / 2), limit: 100 })),
  );
  const [verifyS, verified] = await timed("verify the whole chain", () => thread.verify());
  await thread.stop();
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `orders in the book ${first.ordersTotal.toLocaleString("en-US")}, filtered ${filtered.matched.toLocaleString("en-US")}; chain ok: ${verified.ok}; peak RSS ${peakMb} MB`,
  );
  const out = {
    benchmark: "audit-as-of",
    events: head,
    orders: first.ordersTotal,
    load_s: Math.round(loadS * 10) / 10,
    as_of_first_page_s: Math.round(firstS * 100) / 100,
    as_of_next_page_s: Math.round(nextS * 1000) / 1000,
    as_of_filtered_page_s: Math.round(filteredS * 1000) / 1000,
    as_of_mid_journal_s: Math.round(midS * 100) / 100,
    verify_s: Math.round(verifyS * 100) / 100,
    verify_ok: verified.ok,
    peak_rss_mb: peakMb,
    machine: machineInfo(),
    at: new Date().toISOString(),
  };
  if (!QUICK) writeFileSync(path.join(root, "bench/results/audit-as-of.json"), `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await h.close();
}
