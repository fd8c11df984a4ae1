import type { PrismaClient } from "@fillmore/db";

// Test and bench helpers: orders and booked fills written straight into the projections, as the
// engine's projector writes them (apps/engine/src/journal/projection.ts).

export interface TestOrder {
  id: string;
  clOrdId: string;
  accountId: string;
  strategy: string | null;
  symbol: string;
  side: "Buy" | "Sell";
}

export async function insertOrder(prisma: PrismaClient, o: TestOrder): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, ord_status, cum_qty, leaves_qty,
       strategy, created_by, created_at, updated_at, last_seq)
     VALUES ($1, $2, $3, $4, $5, 'Market', 'DAY', 1000, 'Filled', 1000, 0, $6, 'user:t@x.test', now(), now(), 1)`,
    o.id,
    o.clOrdId,
    o.accountId,
    o.symbol,
    o.side,
    o.strategy,
  );
}

export interface TestFill {
  seq: number;
  orderId: string;
  side: "Buy" | "Sell";
  qty: string;
  px: string;
  ts: string;
  venueId?: string;
  fees?: string;
  parentCopy?: boolean;
  busted?: boolean;
}

/** A fill of an order inserted with insertOrder: account, strategy and symbol are the order's. */
export async function insertFill(prisma: PrismaClient, f: TestFill): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO fill (exec_id, order_id, venue_id, last_qty, last_px, ts, account_id, strategy, symbol, side, fees, currency,
       liquidity, parent_copy, busted, seq)
     SELECT $1, o.id, $2, $3::numeric, $4::numeric, $5::timestamptz, o.account_id, o.strategy, o.symbol, $6, $7::numeric, 'USD',
       'taker', $8, $9, $10::bigint
     FROM orders o WHERE o.id = $11`,
    `${f.venueId ?? "SIM-FAST"}:E${f.seq}`,
    f.venueId ?? "SIM-FAST",
    f.qty,
    f.px,
    f.ts,
    f.side,
    f.fees ?? "1.00",
    f.parentCopy ?? false,
    f.busted ?? false,
    f.seq,
    f.orderId,
  );
}
