import { createPrisma } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { catFileFor, customer606File, rule605File, rule606File } from "./build";
import { firmSchema } from "./firm";

// How long each regulatory file takes to build from a journal of N orders (August 2026, 5 events each:
// received, routed, filled, two markouts; 3 accounts, 4 symbols, 3 venues), in a fresh embedded Postgres.
// Run: npx tsx apps/web/src/server/reports/regulatory/measure.ts 20000   (prints one line per file)
const N = Number(process.argv[2] ?? 20000);
const db = await freshDatabase();
const prisma = createPrisma(db.url);
const t0 = performance.now();
await prisma.$executeRawUnsafe(`
  INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash)
  SELECT s.seq, s.ts, s.type, 'O' || s.i, s.acct, 'user:t', jsonb_build_object('seq', s.seq, 'ts', to_char(s.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'type', s.type, 'orderId', 'O' || s.i, 'accountId', s.acct, 'data', s.data), '', ''
  FROM (
    SELECT o.i, o.i * 5 + k AS seq, o.t0 + (k * interval '1 millisecond') AS ts, o.acct,
      (ARRAY['OrderReceived','OrderSubmitted','OrderFilled','MarkoutSampled','MarkoutSampled'])[k + 1] AS type,
      CASE k
        WHEN 0 THEN jsonb_build_object('order', jsonb_build_object('orderId', 'O' || o.i, 'accountId', o.acct, 'symbol', o.sym, 'side', 'Buy',
          'ordType', 'Market', 'orderQty', (o.i % 900 + 1)::text, 'timeInForce', 'DAY', 'price', null, 'parentId', null, 'requestedVenueId', null),
          'arrival', jsonb_build_object('bid', '20.00', 'ask', '20.04', 'mid', '20.02', 'ts', 0))
        WHEN 1 THEN jsonb_build_object('venueId', o.venue, 'venueOrderId', 'V' || o.i)
        WHEN 2 THEN jsonb_build_object('execId', 'E' || o.i, 'venueId', o.venue, 'lastQty', (o.i % 900 + 1)::text, 'lastPx', '20.03', 'liquidity', 'taker',
          'fees', jsonb_build_array(jsonb_build_object('amount', '0.10', 'currency', 'USD', 'kind', 'commission')))
        WHEN 3 THEN jsonb_build_object('orderId', 'O' || o.i, 'execId', 'E' || o.i, 'horizonMs', 1000, 'mid', '20.03', 'ts', 0)
        ELSE jsonb_build_object('orderId', 'O' || o.i, 'execId', 'E' || o.i, 'horizonMs', 60000, 'mid', '20.05', 'ts', 0)
      END AS data
    FROM (SELECT i, timestamptz '2026-08-03 14:00:00Z' + ((i % 20) * interval '1 day') + ((i / 20) * interval '10 millisecond') AS t0,
            (ARRAY['ACC-ALPHA','ACC-BETA','ACC-GAMMA'])[i % 3 + 1] AS acct, (ARRAY['AAPL','MSFT','XYZ','ABC'])[i % 4 + 1] AS sym,
            (ARRAY['SIM-FAST','SIM-DEEP','SIM-CHEAP'])[i % 3 + 1] AS venue
          FROM generate_series(1, ${N}) i) o, generate_series(0, 4) k
  ) s ORDER BY s.seq`);
await prisma.$executeRawUnsafe("ANALYZE journal");
console.log(`generated ${N} orders (${N * 5} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const firm = firmSchema.parse({});
const files: [string, () => Promise<{ rows: number; content: Buffer }>][] = [
  ["rule605 detailed 2026-08", () => rule605File(prisma, firm, "2026-08", false)],
  ["rule605 summary 2026-08", () => rule605File(prisma, firm, "2026-08", true)],
  ["rule606 XML 2026-Q3", () => rule606File(prisma, firm, "2026-Q3", false)],
  ["rule606 PDF 2026-Q3", () => rule606File(prisma, firm, "2026-Q3", true)],
  ["CAT 2026-08-03", () => catFileFor(prisma, firm, "2026-08-03")],
  ["606(b)(3) ACC-ALPHA to 2026-08", () => customer606File(prisma, firm, "ACC-ALPHA", "2026-08")],
];
for (const [name, build] of files) {
  const t = performance.now();
  const file = await build();
  console.log(`${name}: ${((performance.now() - t) / 1000).toFixed(2)} s, ${file.rows} rows, ${file.content.length} bytes`);
}
await prisma.$disconnect();
await db.cleanup();
