import type { PrismaClient } from "@fillmore/db";
import { ORD_STATUSES } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { EngineClient } from "../engine-client";
import { type AccountScope, orderNotFound } from "../scope";
import { requires, toTrpcError } from "../trpc";

// Audit search over the journal (read only: the console's role has SELECT on it). Newest first with
// keyset paging on seq (`seq < cursor`), never OFFSET; each filter has an index ending in seq
// (packages/db/migrations/1764000000060_audit-indexes.sql). Payload fields are matched with jsonb
// operators: an order's clOrdId, strategy and symbol come from its OrderReceived event, its venue
// order id from OrderSubmitted/OrderAccepted.

const id = z.string().trim().min(1).max(128);
const instant = z.iso.datetime({ offset: true, local: false });

/** The book as of T: the moment (a time or a journal seq) and the filters, for the page and its export. */
const asOfFields = z.object({
  ts: instant.optional(),
  seq: z.number().int().positive().optional(),
  accountId: id.optional(),
  symbol: id.optional(),
  status: z.array(z.enum(ORD_STATUSES)).max(ORD_STATUSES.length).optional(),
});
const oneMoment = (q: { ts?: string; seq?: number }) => (q.ts === undefined) !== (q.seq === undefined);
/** The book as of T's orders, exported whole (every page). */
export const asOfExportInput = asOfFields.strict().refine(oneMoment, { message: "give either ts or seq" });

export const auditSearchInput = z
  .object({
    orderId: id.optional(),
    clOrdId: id.optional(),
    venueOrderId: id.optional(),
    actor: id.optional(),
    accountId: id.optional(),
    strategy: id.optional(),
    symbol: id.optional(),
    types: z
      .array(z.string().regex(/^[A-Za-z]{1,64}$/, "an event type is a word like OrderFilled"))
      .max(64)
      .optional(),
    text: z.string().trim().min(1).max(200).optional(),
    from: instant.optional(),
    to: instant.optional(),
    /** The last seq of the previous page. */
    cursor: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).default(50),
    /** Sent by tRPC's infinite queries (the console's "Load more"); paging is always towards older events. */
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .strict();
export type AuditSearchInput = z.input<typeof auditSearchInput>;

/** One journaled event as the audit views show it: the stored event (payload) and its chain links. */
export interface AuditEvent {
  seq: number;
  /** UTC with microseconds, as journaled. */
  ts: string;
  type: string;
  orderId: string | null;
  accountId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditRow {
  seq: string;
  ts: string;
  type: string;
  order_id: string | null;
  account_id: string | null;
  actor: string | null;
  payload: { ts?: string; data?: Record<string, unknown> };
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  "seq::text AS seq, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ts, type, order_id, account_id, actor, payload, prev_hash, hash";

export function toAuditEvent(r: AuditRow): AuditEvent {
  return {
    seq: Number(r.seq),
    ts: typeof r.payload?.ts === "string" ? r.payload.ts : r.ts,
    type: r.type,
    orderId: r.order_id,
    accountId: r.account_id,
    actor: r.actor,
    data: r.payload?.data ?? {},
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** `%`, `_` and `\` match themselves in the text filter. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Filters on an order's payload: which events carry the field, and the field (jsonb operators). */
const PAYLOAD = {
  clOrdId: { types: "r.type = 'OrderReceived'", field: "r.payload -> 'data' -> 'order' ->> 'clOrdId'" },
  venueOrderId: { types: "r.type IN ('OrderSubmitted', 'OrderAccepted')", field: "r.payload -> 'data' ->> 'venueOrderId'" },
  strategy: { types: "r.type = 'OrderReceived'", field: "r.payload -> 'data' -> 'order' ->> 'strategy'" },
  symbol: { types: "r.type = 'OrderReceived'", field: "r.payload -> 'data' -> 'order' ->> 'symbol'" },
} as const;
type PayloadFilter = keyof typeof PAYLOAD;

/** Up to this many orders, a payload filter becomes a list of order ids (index on (order_id, seq)). */
export const MAX_RESOLVED_ORDERS = 1000;

/** The orders each payload filter matches: their ids when few, else "many" (then each event probes its order). */
export type ResolvedOrders = Partial<Record<PayloadFilter, string[] | "many">>;

type Run = (text: string, values: unknown[]) => Promise<{ order_id: string }[]>;

/**
 * Looks up the orders behind clOrdId, venueOrderId, strategy and symbol on their partial expression
 * indexes (bounded). Few orders: the search reads just their events. Many (a busy strategy or symbol):
 * the search walks the journal newest first and checks each event's order, stopping at a page.
 */
export async function resolveOrders(run: Run, input: z.output<typeof auditSearchInput>): Promise<ResolvedOrders> {
  const resolved: ResolvedOrders = {};
  for (const key of Object.keys(PAYLOAD) as PayloadFilter[]) {
    const value = input[key];
    if (!value) continue;
    const { types, field } = PAYLOAD[key];
    const rows = await run(
      // No DISTINCT: it would read every match before the LIMIT (a busy strategy: all its orders).
      `SELECT r.order_id FROM journal r WHERE ${types} AND ${field} = $1 AND r.order_id IS NOT NULL LIMIT ${MAX_RESOLVED_ORDERS + 1}`,
      [value],
    );
    resolved[key] = rows.length > MAX_RESOLVED_ORDERS ? "many" : [...new Set(rows.map((r) => r.order_id))];
  }
  return resolved;
}

/** Past any seq: a `from` after the last event matches nothing. */
const NO_SEQ = "9223372036854775807";

/** The query and its parameters; the SQL text is built from constants only, values go as parameters. */
export function searchQuery(input: z.output<typeof auditSearchInput>, accounts: readonly string[] | null, resolved: ResolvedOrders = {}) {
  const values: unknown[] = [];
  const p = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (input.orderId) where.push(`order_id = ${p(input.orderId)}`);
  for (const key of Object.keys(PAYLOAD) as PayloadFilter[]) {
    const value = input[key];
    if (!value) continue;
    const ids = resolved[key];
    const { types, field } = PAYLOAD[key];
    const orders = Array.isArray(ids)
      ? `order_id = ANY(${p(ids)}::text[])`
      : `(SELECT ${field} FROM journal r WHERE r.order_id = journal.order_id AND ${types} ORDER BY r.seq LIMIT 1) = ${p(value)}`;
    // Events about a symbol that belong to no order (breakers, position adjustments) carry data.symbol.
    if (key === "symbol") where.push(`(${orders} OR (payload -> 'data' ? 'symbol' AND payload -> 'data' ->> 'symbol' = ${p(value)}))`);
    else where.push(orders);
  }
  if (input.actor) where.push(`actor = ${p(input.actor)}`);
  if (input.accountId) where.push(`account_id = ${p(input.accountId)}`);
  if (input.types && input.types.length > 0) where.push(`type = ANY(${p(input.types)}::text[])`);
  if (input.text) where.push(`payload::text ILIKE ${p(likePattern(input.text))}`);
  // Timestamps never decrease with seq (the engine's journal holds them so), so a time range is the
  // seq range from the first event at or after `from` to the last before `to`, both found on the ts
  // index; the newest-first walk then starts inside it. Filtering on ts itself would let the planner
  // read the whole range on the ts index and sort it (a minute of 10,000,000 events: 0.4-5.7 s).
  if (input.from)
    where.push(
      `seq >= COALESCE((SELECT b.seq FROM journal b WHERE b.ts >= ${p(input.from)}::timestamptz ORDER BY b.ts, b.seq LIMIT 1), ${NO_SEQ})`,
    );
  if (input.to)
    where.push(
      `seq <= COALESCE((SELECT b.seq FROM journal b WHERE b.ts < ${p(input.to)}::timestamptz ORDER BY b.ts DESC, b.seq DESC LIMIT 1), 0)`,
    );
  if (input.cursor !== undefined) where.push(`seq < ${p(input.cursor)}::bigint`);
  // A key bound to accounts sees only its accounts' events (never events of no account).
  if (accounts) where.push(`account_id = ANY(${p(accounts)}::text[])`);
  const text = `SELECT ${COLUMNS} FROM journal${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY journal.seq DESC LIMIT ${p(input.limit + 1)}`;
  return { text, values };
}

export async function searchJournal(
  prisma: PrismaClient,
  scope: Pick<AccountScope, "accountIds" | "assertAccount">,
  input: z.output<typeof auditSearchInput>,
): Promise<{ events: AuditEvent[]; nextCursor: number | null; tookMs: number }> {
  if (input.accountId !== undefined) scope.assertAccount(input.accountId);
  const started = performance.now();
  const resolved = await resolveOrders((text, values) => prisma.$queryRawUnsafe(text, ...values), input);
  const { text, values } = searchQuery(input, scope.accountIds, resolved);
  const rows = await prisma.$queryRawUnsafe<AuditRow[]>(text, ...values);
  const tookMs = Math.round((performance.now() - started) * 100) / 100;
  const page = rows.slice(0, input.limit).map(toAuditEvent);
  return { events: page, nextCursor: rows.length > input.limit ? (page.at(-1)?.seq ?? null) : null, tookMs };
}

const HISTORY_LIMIT = 5000;

/** One order's complete history, oldest first: its own events and those of its child orders (a split). */
export async function orderHistory(prisma: PrismaClient, scope: AccountScope, orderId: string) {
  const owner = await prisma.$queryRawUnsafe<{ account_id: string | null }[]>(
    "SELECT account_id FROM journal WHERE order_id = $1 ORDER BY journal.seq LIMIT 1",
    orderId,
  );
  const first = owner[0];
  if (!first) throw orderNotFound(orderId);
  // An order outside a bound key's accounts answers exactly like an unknown id.
  if (scope.confined && (first.account_id === null || !scope.allows(first.account_id))) throw orderNotFound(orderId);
  const splits = await prisma.$queryRawUnsafe<{ child: string }[]>(
    "SELECT c ->> 'orderId' AS child FROM journal, jsonb_array_elements(payload -> 'data' -> 'children') c WHERE order_id = $1 AND type = 'OrderSplit'",
    orderId,
  );
  const children = [...new Set(splits.map((s) => s.child).filter(Boolean))];
  const rows = await prisma.$queryRawUnsafe<AuditRow[]>(
    `SELECT ${COLUMNS} FROM journal WHERE order_id = ANY($1::text[]) ORDER BY journal.seq LIMIT ${HISTORY_LIMIT + 1}`,
    [orderId, ...children],
  );
  const events = rows.slice(0, HISTORY_LIMIT).map(toAuditEvent);
  const received = events.find((e) => e.type === "OrderReceived" && e.orderId === orderId);
  return {
    orderId,
    accountId: first.account_id,
    order: (received?.data.order as Record<string, unknown> | undefined) ?? null,
    children,
    events,
    truncated: rows.length > HISTORY_LIMIT,
  };
}

/** The order's FIX messages from the engine; an engine that cannot answer leaves them out and says why. */
async function fixMessagesOf(engine: EngineClient, orderId: string) {
  try {
    const answer = await engine.orderFixMessages(orderId);
    return { fixMessages: answer.messages, fixMessagesTruncated: answer.truncated, fixMessagesError: null };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { fixMessages: null, fixMessagesTruncated: false, fixMessagesError: `FIX messages unavailable: ${why}` };
  }
}

export const auditRouter = {
  /** Journal events by filters, newest first; `nextCursor` is the last seq of the page (keyset paging). */
  search: requires("audit:read")
    .input(auditSearchInput)
    .query(({ ctx, input }) => searchJournal(ctx.prisma, ctx.scope, input)),

  /**
   * Everything journaled about one order and its child orders: routing, risk denials, refused commands,
   * alerts, venue reports; and the FIX messages in and out for it from the engine (`fixMessages: null`
   * with `fixMessagesError` when the engine cannot say: the journal's part still answers).
   */
  orderHistory: requires("audit:read")
    .input(z.object({ orderId: id }).strict())
    .query(async ({ ctx, input }) => {
      const history = await orderHistory(ctx.prisma, ctx.scope, input.orderId); // confinement first
      return { ...history, ...(await fixMessagesOf(ctx.engine, input.orderId)) };
    }),

  /**
   * The book as of a past moment: every order's state and every position rebuilt from the journal up to
   * a time or a seq (the engine replays with its own code, read only, on its audit worker thread).
   * Historical: nothing here is live. One page of the orders (`offset`, `limit`; the engine keeps the
   * rebuilt book, so the next page costs no second replay), filtered by account, symbol and status.
   * A bound key sees its accounts' orders and positions only: the engine is asked for those accounts.
   */
  asOf: requires("audit:read")
    .input(
      asOfFields
        .extend({
          offset: z.number().int().min(0).max(100_000_000).default(0),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .strict()
        .refine(oneMoment, { message: "give either ts or seq" }),
    )
    .query(async ({ ctx, input }) => {
      const { accountId, status, ...rest } = input;
      // A bound key asking for another account's book gets an empty one (as if it had no orders).
      const outside = accountId !== undefined && !ctx.scope.allows(accountId);
      const accountIds = accountId !== undefined ? [accountId] : (ctx.scope.accountIds ?? undefined);
      const book = await ctx.engine.bookAsOf({ ...rest, accountIds, statuses: status }).catch(toTrpcError);
      if (!ctx.scope.confined) return { ...book, historical: true as const };
      // Checked here too: only its accounts' orders and rows, and no roll-up spanning other accounts.
      const orders = outside ? [] : book.orders.filter((o) => ctx.scope.allows(o.accountId));
      const rows = outside ? [] : book.pnl.rows.filter((r) => ctx.scope.allows(r.accountId));
      const byAccount = outside
        ? []
        : book.pnl.byAccount.filter((r) => r.group.accountId !== undefined && ctx.scope.allows(r.group.accountId));
      return {
        ...book,
        orders,
        // The engine's totals are of the accounts asked for: its own.
        ordersTotal: outside ? 0 : book.ordersTotal,
        working: outside ? 0 : book.working,
        matched: outside ? 0 : book.matched,
        positions: outside ? [] : ctx.scope.filterPositions(book).positions,
        pnl: { ...book.pnl, rows, byAccount, byStrategy: [], firm: null },
        historical: true as const,
      };
    }),

  /** Verifies the whole hash chain in the engine (it holds the key); if broken, the first broken event. */
  verify: requires("audit:read").query(async ({ ctx }) => {
    ctx.scope.assertUnconfined("verify the whole journal, which spans every account");
    const result = await ctx.engine.auditVerify().catch(toTrpcError);
    let firstBad: AuditEvent | null = null;
    if (!result.ok && result.firstBadSeq !== null) {
      const rows = await ctx.prisma.$queryRawUnsafe<AuditRow[]>(
        `SELECT ${COLUMNS} FROM journal WHERE seq = $1::bigint`,
        result.firstBadSeq,
      );
      firstBad = rows[0] ? toAuditEvent(rows[0]) : null;
    }
    return { ...result, firstBad, verifiedAt: new Date().toISOString() };
  }),
} satisfies TRPCRouterRecord;
