import { type AnyEvent, money, type Order } from "@fillmore/shared";
import { canonicalJson, chainHashText } from "./hash";
import type { JournalEntry } from "./journal";

interface FillRow {
  execId: string;
  orderId: string;
  venueId: string;
  lastQty: string;
  lastPx: string;
  ts: string;
  accountId: string | null;
  strategy: string | null;
  symbol: string | null;
  side: string | null;
  fees: string;
  currency: string | null;
  feeLines: unknown[];
  liquidity: string | null;
  parentCopy: boolean;
  childOrderId: string | null;
  seq: number;
}

const FILL_COLUMNS = [
  ["execId", "exec_id", "text"],
  ["orderId", "order_id", "text"],
  ["venueId", "venue_id", "text"],
  ["lastQty", "last_qty", "numeric"],
  ["lastPx", "last_px", "numeric"],
  ["ts", "ts", "timestamptz"],
  ["accountId", "account_id", "text"],
  ["strategy", "strategy", "text"],
  ["symbol", "symbol", "text"],
  ["side", "side", "text"],
  ["fees", "fees", "numeric"],
  ["currency", "currency", "text"],
  ["feeLines", "fee_lines", "jsonb"],
  ["liquidity", "liquidity", "text"],
  ["parentCopy", "parent_copy", "boolean"],
  ["childOrderId", "child_order_id", "text"],
  ["seq", "seq", "bigint"],
] as const satisfies readonly (readonly [keyof FillRow, string, string])[];

export interface Statement {
  text: string;
  values: unknown[];
}

const ORDER_COLUMNS = [
  ["orderId", "text"],
  ["clOrdId", "text"],
  ["accountId", "text"],
  ["symbol", "text"],
  ["side", "text"],
  ["ordType", "text"],
  ["timeInForce", "text"],
  ["orderQty", "numeric"],
  ["price", "numeric"],
  ["stopPx", "numeric"],
  ["ordStatus", "text"],
  ["cumQty", "numeric"],
  ["leavesQty", "numeric"],
  ["avgPx", "numeric"],
  ["venueId", "text"],
  ["strategy", "text"],
  ["createdBy", "text"],
  ["createdAt", "timestamptz"],
  ["updatedAt", "timestamptz"],
  ["lastSeq", "bigint"],
] as const satisfies readonly (readonly [keyof Order, string])[];

const JOURNAL_INSERT = `INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash)
  SELECT r.seq, r.ts, r.type, r.order_id, r.account_id, r.actor, r.payload, r.prev_hash, r.hash
  FROM json_to_recordset($1::json) AS r(seq bigint, ts timestamptz, type text, order_id text, account_id text, actor text,
    payload jsonb, prev_hash text, hash text)`;

/** A batch of events linked into the chain and put into one statement. */
export interface ChainedBatch extends Statement {
  /** Each event's link, in order, concatenated (64 hex characters each). */
  hashes: string;
}

/**
 * Links a batch of events into the hash chain after `prevHash` and makes their journal rows one
 * statement (one round trip, one transaction) with one JSON parameter: each event is serialised once,
 * in canonical form, for its hash and as its row's payload. Runs on the journal writer's thread
 * (writer-worker.ts), so the engine's event loop neither serialises nor hashes.
 */
export function chainedJournalBatch(key: Buffer | undefined, prevHash: string, events: readonly AnyEvent[]): ChainedBatch {
  const rows: string[] = new Array(events.length);
  let hashes = "";
  let prev = prevHash;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as AnyEvent;
    const json = canonicalJson(e);
    const hash = chainHashText(key, prev, json);
    rows[i] =
      `{"seq":${e.seq},"ts":"${e.ts}","type":${JSON.stringify(e.type)},"order_id":${JSON.stringify(e.orderId)},` +
      `"account_id":${JSON.stringify(e.accountId)},"actor":${JSON.stringify(e.actor)},` +
      `"payload":${json},"prev_hash":"${prev}","hash":"${hash}"}`;
    hashes += hash;
    prev = hash;
  }
  return { text: JOURNAL_INSERT, values: [`[${rows.join(",")}]`], hashes };
}

/** The links of a batch of events after `prevHash`, as `chainedJournalBatch` makes them. */
export function chainLinks(key: Buffer | undefined, prevHash: string, events: readonly AnyEvent[]): string[] {
  const links: string[] = [];
  let prev = prevHash;
  for (const event of events) {
    prev = chainHashText(key, prev, canonicalJson(event));
    links.push(prev);
  }
  return links;
}

/**
 * The read model of committed entries: the latest state of every order they touched and their
 * fills, as one statement; then one statement per bust or correction (rare), in journal order, since
 * a statement does not see rows its own sibling parts insert. Rebuildable from the journal, so it is
 * written after the commit. All of them go in one transaction.
 */
export function projectionStatements(entries: readonly JournalEntry[]): Statement[] {
  const latest = new Map<string, Order>();
  const fills: FillRow[] = [];
  const changes: Statement[] = [];
  for (const entry of entries) {
    if (entry.orderAfter) latest.set(entry.orderAfter.orderId, entry.orderAfter);
    const e = entry.event;
    if ((e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") && e.orderId) {
      const { venueId, execId, lastQty, lastPx } = e.data;
      const o = entry.orderAfter;
      const lines = e.data.fees ?? [];
      const currency = lines[0]?.currency ?? null;
      const fees = money.sum(lines.filter((f) => f.currency === currency).map((f) => f.amount));
      fills.push({
        execId: `${venueId}:${execId}`,
        orderId: e.orderId,
        venueId,
        lastQty,
        lastPx,
        ts: e.ts,
        accountId: o?.accountId ?? e.accountId,
        strategy: o?.strategy ?? null,
        symbol: o?.symbol ?? null,
        side: o?.side ?? null,
        fees,
        currency,
        feeLines: lines,
        liquidity: e.data.liquidity ?? null,
        parentCopy: e.data.childOrderId !== undefined,
        childOrderId: e.data.childOrderId ?? null,
        seq: e.seq,
      });
    } else if (e.type === "OrderTradeBusted") {
      changes.push({
        text: "UPDATE fill SET busted = true, busted_seq = $2 WHERE exec_id = $1 AND NOT busted",
        values: [`${e.data.venueId}:${e.data.refExecId}`, e.seq],
      });
    } else if (e.type === "OrderTradeCorrected") {
      changes.push({
        text: `UPDATE fill SET orig_qty = coalesce(orig_qty, last_qty), orig_px = coalesce(orig_px, last_px), corrected = true,
          last_qty = $2, last_px = $3, corrected_seq = $4 WHERE exec_id = $1 AND coalesce(corrected_seq, 0) < $4`,
        values: [`${e.data.venueId}:${e.data.refExecId}`, e.data.lastQty, e.data.lastPx, e.seq],
      });
    }
  }
  const main = ordersAndFills(latest, fills);
  return main ? [main, ...changes] : changes;
}

/** The orders and fill rows of a batch, as one statement (kept for callers that want just that). */
export function projectionStatement(entries: readonly JournalEntry[]): Statement | null {
  return projectionStatements(entries)[0] ?? null;
}

/** `json_to_recordset` column list: each key as it is in the JSON, with its SQL type. */
const recordColumns = (columns: readonly (readonly [string, string])[]) => columns.map(([key, type]) => `"${key}" ${type}`).join(", ");
const ORDER_RECORD = recordColumns(ORDER_COLUMNS);
const FILL_RECORD = recordColumns(FILL_COLUMNS.map(([key, , type]) => [key, type] as const));
const ORDERS_AND_FILLS = `
    WITH order_rows AS (
      INSERT INTO orders (id, cl_ord_id, account_id, symbol, side, ord_type, time_in_force, order_qty, price, stop_px,
        ord_status, cum_qty, leaves_qty, avg_px, venue_id, strategy, created_by, created_at, updated_at, last_seq)
      SELECT ${ORDER_COLUMNS.map(([key]) => `r."${key}"`).join(", ")} FROM json_to_recordset($1::json) AS r(${ORDER_RECORD})
      ON CONFLICT (id) DO UPDATE SET order_qty = excluded.order_qty, price = excluded.price, stop_px = excluded.stop_px,
        ord_status = excluded.ord_status, cum_qty = excluded.cum_qty, leaves_qty = excluded.leaves_qty,
        avg_px = excluded.avg_px, venue_id = excluded.venue_id, updated_at = excluded.updated_at, last_seq = excluded.last_seq
      WHERE orders.last_seq < excluded.last_seq
      RETURNING 1
    )
    INSERT INTO fill (${FILL_COLUMNS.map(([, col]) => col).join(", ")})
    SELECT ${FILL_COLUMNS.map(([key]) => `r."${key}"`).join(", ")} FROM json_to_recordset($2::json) AS r(${FILL_RECORD})
    ON CONFLICT (exec_id) DO NOTHING`;

/** Just the projected fields of each row, as one JSON array (one parameter, serialised natively). */
function recordsJson<T>(rows: readonly T[], keys: readonly (keyof T)[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const picked: Partial<T> = {};
      for (const key of keys) picked[key] = row[key];
      return picked;
    }),
  );
}

const ORDER_KEYS: string[] = ORDER_COLUMNS.map(([key]) => key);
const FILL_KEYS: (keyof FillRow)[] = FILL_COLUMNS.map(([key]) => key);

function ordersAndFills(latest: Map<string, Order>, fills: FillRow[]): Statement | null {
  if (latest.size === 0 && fills.length === 0) return null;
  return {
    text: ORDERS_AND_FILLS,
    values: [
      // An order's projected fields are all strings, numbers or null, so JSON.stringify's own key list
      // picks them, without a picked copy of every order (recordsJson) on the engine's heap.
      JSON.stringify([...latest.values()], ORDER_KEYS),
      recordsJson(fills, FILL_KEYS),
    ],
  };
}
