import { type Decimal, money } from "@fillmore/shared";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { CommandError } from "../../orders/errors";
import type { VenuePosition, VenueTrade } from "../../venues/adapter";

/** Which column of the broker's CSV holds what (header names, matched case-insensitively after trimming). */
export const positionColumns = z
  .object({
    account: z.string().min(1).default("account"),
    symbol: z.string().min(1).default("symbol"),
    qty: z.string().min(1).default("quantity"),
    /** Optional: a column saying Long/Short (or B/S); Short makes an unsigned quantity negative. */
    side: z.string().min(1).optional(),
  })
  .strict();

export const tradeColumns = z
  .object({
    account: z.string().min(1).default("account"),
    symbol: z.string().min(1).default("symbol"),
    side: z.string().min(1).default("side"),
    qty: z.string().min(1).default("quantity"),
    price: z.string().min(1).default("price"),
    execId: z.string().min(1).default("exec_id"),
    /** Optional: our order id (the broker's ClOrdID); absent or empty: not known to be ours. */
    orderId: z.string().min(1).optional(),
    /** Optional: the commission/fees the broker charged on the trade. */
    fee: z.string().min(1).optional(),
  })
  .strict();

export const statementInput = z
  .object({
    /** Names the source: breaks from it are "statement:<name>"; a new import under the same name replaces the old. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    positions: z.string().min(1).max(2_000_000),
    trades: z.string().max(2_000_000).optional(),
    mapping: z.object({ positions: positionColumns.optional(), trades: tradeColumns.optional() }).strict().optional(),
    delimiter: z.string().length(1).optional(),
  })
  .strict();
export type StatementInput = z.input<typeof statementInput>;

export interface Statement {
  source: string;
  positions: VenuePosition[];
  /** Rows read: positions, trades. */
  rows: { positions: number; trades: number };
}

type Row = Record<string, string>;

function read(csv: string, delimiter: string | undefined, what: string): Row[] {
  try {
    return parse(csv, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      delimiter: delimiter ?? ",",
      relax_column_count: false,
    }) as Row[];
  } catch (error) {
    throw new CommandError("INVALID_INPUT", `${what} CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function column(rows: Row[], name: string, what: string): string {
  const col = name.trim().toLowerCase();
  if (rows.length > 0 && !(col in (rows[0] ?? {})))
    throw new CommandError("INVALID_INPUT", `${what} CSV has no column "${name}" (columns: ${Object.keys(rows[0] ?? {}).join(", ")})`);
  return col;
}

/** A quantity or amount as brokers write them: thousands separators, a leading +, (123) for negatives. */
function decimal(text: string | undefined, where: string): Decimal {
  let t = (text ?? "").replace(/[,\s_]/g, "");
  if (/^\(.*\)$/.test(t)) t = `-${t.slice(1, -1)}`;
  if (t.startsWith("+")) t = t.slice(1);
  if (!money.isDecimal(t)) throw new CommandError("INVALID_INPUT", `${where}: ${JSON.stringify(text ?? "")} is not a decimal number`);
  return money.normalize(t);
}

function side(text: string | undefined, where: string): "Buy" | "Sell" {
  const t = (text ?? "").trim().toUpperCase();
  if (["B", "BUY", "BOT", "BOUGHT", "L", "LONG"].includes(t)) return "Buy";
  if (["S", "SELL", "SLD", "SOLD", "SHORT", "SS", "SELL SHORT"].includes(t)) return "Sell";
  throw new CommandError("INVALID_INPUT", `${where}: side ${JSON.stringify(text ?? "")} is neither buy nor sell`);
}

/**
 * A broker statement (end-of-day positions per account and, optionally, the trades behind them) read
 * with the caller's column mapping. Rows for the same account and symbol add up; trades are attached
 * to their account/symbol as evidence of why a position differs. Any bad cell refuses the whole file,
 * naming the row and column.
 */
export function parseStatement(unchecked: unknown): Statement {
  const parsed = statementInput.safeParse(unchecked);
  if (!parsed.success)
    throw new CommandError("INVALID_INPUT", parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  const input = parsed.data;
  const pc = positionColumns.parse(input.mapping?.positions ?? {});
  const tc = tradeColumns.parse(input.mapping?.trades ?? {});
  const byKey = new Map<string, VenuePosition & { trades: VenueTrade[] }>();
  const at = (accountId: string, symbol: string) => {
    const key = `${accountId}|${symbol}`;
    let p = byKey.get(key);
    if (!p) {
      p = { accountId, symbol, qty: "0", trades: [] };
      byKey.set(key, p);
    }
    return p;
  };

  const positions = read(input.positions, input.delimiter, "positions");
  const [pa, ps, pq] = [
    column(positions, pc.account, "positions"),
    column(positions, pc.symbol, "positions"),
    column(positions, pc.qty, "positions"),
  ];
  const pside = pc.side === undefined ? undefined : column(positions, pc.side, "positions");
  positions.forEach((row, i) => {
    const where = `positions row ${i + 2}`;
    const accountId = row[pa] ?? "";
    const symbol = (row[ps] ?? "").toUpperCase();
    if (!accountId || !symbol) throw new CommandError("INVALID_INPUT", `${where}: account and symbol are required`);
    let qty = decimal(row[pq], `${where}, ${pc.qty}`);
    if (pside !== undefined && row[pside] && side(row[pside], `${where}, ${pc.side}`) === "Sell") qty = money.neg(money.abs(qty));
    const p = at(accountId, symbol);
    p.qty = money.add(p.qty, qty);
  });

  const trades = input.trades?.trim() ? read(input.trades, input.delimiter, "trades") : [];
  if (trades.length > 0) {
    const c = {
      account: column(trades, tc.account, "trades"),
      symbol: column(trades, tc.symbol, "trades"),
      side: column(trades, tc.side, "trades"),
      qty: column(trades, tc.qty, "trades"),
      price: column(trades, tc.price, "trades"),
      execId: column(trades, tc.execId, "trades"),
      orderId: tc.orderId === undefined ? undefined : column(trades, tc.orderId, "trades"),
      fee: tc.fee === undefined ? undefined : column(trades, tc.fee, "trades"),
    };
    trades.forEach((row, i) => {
      const where = `trades row ${i + 2}`;
      const accountId = row[c.account] ?? "";
      const symbol = (row[c.symbol] ?? "").toUpperCase();
      const execId = row[c.execId] ?? "";
      if (!accountId || !symbol || !execId) throw new CommandError("INVALID_INPUT", `${where}: account, symbol and exec id are required`);
      const fee = c.fee !== undefined && row[c.fee] ? money.abs(decimal(row[c.fee], `${where}, ${tc.fee}`)) : undefined;
      at(accountId, symbol).trades.push({
        execId,
        orderId: c.orderId !== undefined && row[c.orderId] ? (row[c.orderId] ?? null) : null,
        side: side(row[c.side], `${where}, ${tc.side}`),
        qty: money.abs(decimal(row[c.qty], `${where}, ${tc.qty}`)),
        px: decimal(row[c.price], `${where}, ${tc.price}`),
        ...(fee === undefined ? {} : { fee }),
      });
    });
  }
  return {
    source: `statement:${input.name}`,
    positions: [...byKey.values()],
    rows: { positions: positions.length, trades: trades.length },
  };
}
