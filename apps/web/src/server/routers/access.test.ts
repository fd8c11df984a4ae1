import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { can, DEFAULT_RISK_LIMITS, type Permission, ROLES, type Role } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../api-keys";
import type { Principal } from "../auth";
import { type EngineClient, EngineError, type PositionView, type ReferenceView, type RiskView } from "../engine-client";
import { appRouter } from "./root";

// The access table: every tRPC procedure, called by every role as a person, as an API key bound to
// no account and as an API key bound to ACC-ALPHA. Each procedure says which permission it needs,
// whether a bound key may use it at all, and probes of what a bound key may see or touch outside
// its accounts. A procedure added to the router without an entry here fails the first test.

const ALPHA = "ACC-ALPHA";
const BETA = "ACC-BETA";

/** The engine, as data: two orders, one per account; positions, limits and states for both accounts. */
function fakeEngine() {
  const calls: string[] = [];
  const orders: Record<string, { orderId: string; accountId: string }> = {
    "O-ALPHA": { orderId: "O-ALPHA", accountId: ALPHA },
    "O-BETA": { orderId: "O-BETA", accountId: BETA },
  };
  const risk = (): RiskView => ({
    defaults: DEFAULT_RISK_LIMITS,
    limits: { [`account:${ALPHA}`]: { maxOrderQty: "10" }, [`account:${BETA}`]: { maxOrderQty: "20" } },
    tradingStates: { global: "ACTIVE", [`account:${BETA}`]: "HALTED", "symbol:AAPL": "REDUCING" },
  });
  const positions: PositionView[] = [ALPHA, BETA].map((accountId) => ({
    accountId,
    symbol: "AAPL",
    qty: "1",
    boughtQty: "1",
    soldQty: "0",
    boughtNotional: "1",
    soldNotional: "0",
  }));
  const reference: ReferenceView = {
    instruments: [{ symbol: "AAPL", name: "Apple", tickSize: "0.01", lotSize: "1", refPrice: "1" }],
    accounts: [
      { id: ALPHA, name: "Alpha" },
      { id: BETA, name: "Beta" },
    ],
    venues: [{ id: "SIM-FAST", healthy: true }],
    quotes: [],
  };
  /** Like the engine: rows and roll-ups of the accounts asked for, every account when none is named. */
  const positionBook = (accountIds: readonly string[] | undefined) => {
    const accounts = accountIds ?? [ALPHA, BETA];
    const rollup = (group: { accountId?: string }) => ({ group, currency: "USD", positions: 1, net: "1" });
    return {
      method: "account",
      rows: accounts.map((accountId) => ({ accountId, strategy: null, symbol: "AAPL", qty: "1" })),
      byAccount: accounts.map((accountId) => rollup({ accountId })),
      byStrategy: [],
      firm: { ...rollup({}), positions: accounts.length },
      asOf: "2026-01-01T00:00:00.000000Z",
      seq: 1,
      positions: [],
    };
  };
  const breaks = ([ALPHA, BETA, null] as const).map((accountId, i) => ({
    breakId: `BRK-${i + 1}`,
    kind: "position",
    source: "venue:SIM-FAST",
    accountId,
    symbol: "AAPL",
    status: "open",
  }));
  const alertList = ([ALPHA, BETA, null] as const).map((accountId, i) => ({
    alertId: `AL-${i + 1}`,
    code: accountId ? "OVER_FILL" : "VENUE_DOWN",
    severity: "critical",
    accountId,
    state: "open",
  }));
  const alertChange = (alertId: string, state: string) => {
    const a = alertList.find((x) => x.alertId === alertId);
    if (!a) throw new EngineError(404, "NOT_FOUND", `no alert ${alertId}`);
    return { alert: { ...a, state } };
  };
  const find = async (orderId: string) => {
    const order = orders[orderId];
    if (!order) throw new EngineError(404, "NOT_FOUND", `no order ${orderId}`);
    return { order, events: [] };
  };
  const track =
    <A extends unknown[], R>(name: string, f: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name);
      return f(...args);
    };
  const engine = {
    submit: track("submit", async (o: { accountId: string }) => ({
      order: { orderId: "O-NEW", accountId: o.accountId },
      duplicate: false,
    })),
    cancel: track("cancel", (id: string) => find(id)),
    modify: track("modify", (input: { orderId: string }) => find(input.orderId)),
    cancelAll: track("cancelAll", async () => ({ requested: 0, cancelled: [], skipped: [] })),
    order: find,
    // Execution quality: an order's metrics carry its account; the summary is of the accounts asked for.
    orderMetrics: async (orderId: string) => ({ metrics: { ...(await find(orderId)).order, slippageBps: "1" } }),
    qualitySummary: track("qualitySummary", async (query: { accountIds?: readonly string[] } = {}) => ({
      orders: 0,
      queryMs: 0,
      venues: [],
      accountIds: query.accountIds ?? null,
    })),
    risk: async () => risk(),
    setRiskLimits: track("setRiskLimits", async () => risk()),
    setTradingState: track("setTradingState", async () => risk()),
    positions: async () => ({ positions }),
    reference: async () => reference,
    venues: async () => ({ venues: [] }),
    setOutage: track("setOutage", async () => ({ venues: [] })),
    // Exports journal themselves (ExportProduced) through the engine.
    journalAdminEvent: track("journalAdminEvent", async () => ({ seq: 1, ts: "2026-01-01T00:00:00.000000Z", type: "ExportProduced" })),
    // Reads are tracked too: a refused read must never reach the engine.
    positionBook: track("positionBook", async (query: { accountIds?: readonly string[] }) => positionBook(query.accountIds)),
    positionFills: track("positionFills", async () => ({ fills: [] })),
    pnlSeries: track("pnlSeries", async (accountId?: string) => ({ accountId: accountId ?? null, intervalMs: 1000, points: [] })),
    // The kill switch's door (routers/controls.ts controlsOf): a test engine brings its own.
    controls: {
      state: track("controls.state", async () => ({
        asOf: "2026-01-01T00:00:00.000000Z",
        states: ["global", `account:${ALPHA}`, `account:${BETA}/symbol:AAPL`].map((scope) => ({
          scope,
          state: "HALTED",
          setBy: "user:r@x",
          setAt: "2026-01-01T00:00:00.000000Z",
          reason: "a long enough reason",
          allowReducing: true,
        })),
        pendingResets: [],
        requireSecondApprovalForGlobalReset: false,
        history: [],
      })),
      preview: track("controls.preview", async (scope: string) => ({ scope, accounts: [], totals: {}, flattenUnsupported: null })),
      trip: track("controls.trip", async () => ({})),
      reset: track("controls.reset", async () => ({})),
      approveReset: track("controls.approveReset", async () => ({})),
      // Breakers and dead-man's switches: one global, one per account.
      breakers: track("controls.breakers", async () => ({
        asOf: "",
        breakers: ["global", `account:${ALPHA}`, `account:${BETA}`].map((scope, i) => ({
          name: `b${i}`,
          config: { condition: "dailyLoss", scope, enabled: true, threshold: 1 },
        })),
      })),
      setBreaker: track("controls.setBreaker", async () => ({})),
      deadman: track("controls.deadman", async () => ({
        asOf: "",
        switches: ["strategy:S1", `account:${ALPHA}`, `account:${BETA}`].map((scope, i) => ({ id: `key:k${i}`, scope })),
      })),
      setDeadman: track("controls.setDeadman", async () => ({})),
      heartbeat: track("controls.heartbeat", async (id: string) => ({ id, status: "alive" })),
    },
    // Reconciliation: one break per account and one a venue keeps for every account (no account).
    // Not tracked, like `order`: it is also the confinement check before a bound key's resolve.
    reconciliationBreaks: async (query: { accountIds?: readonly string[] } = {}) => ({
      breaks: breaks.filter((b) => !query.accountIds || (b.accountId !== null && query.accountIds.includes(b.accountId))),
      sources: [{ source: "venue:SIM-FAST", state: "ok", detail: null, checkedAt: null, positions: 2 }],
      lastRun: { startedAt: "2026-01-01T00:00:00.000000Z", found: breaks.map((b) => b.breakId), cleared: [], sources: [] },
      unknownFate: Object.values(orders)
        .filter((o) => !query.accountIds || query.accountIds.includes(o.accountId))
        .map((o) => ({ order: o, code: "VENUE_LOST_ORDER", message: "lost" })),
    }),
    runReconciliation: track("runReconciliation", async () => ({ startedAt: "", found: [], cleared: [], sources: [] })),
    resolveBreak: track("resolveBreak", async (breakId: string) => {
      const b = breaks.find((x) => x.breakId === breakId);
      if (!b) throw new EngineError(404, "NOT_FOUND", `no break ${breakId}`);
      return { break: { ...b, status: "investigated" } };
    }),
    importStatement: track("importStatement", async () => ({ source: "statement:eod", rows: { positions: 1, trades: 0 }, result: {} })),
    settleOrder: track("settleOrder", (orderId: string) => find(orderId)),
    // Alerts: one per account and one of no account (a venue down). Listing is not tracked: it is
    // also the confinement check before a bound key's acknowledge/resolve.
    alerts: async (query: { accountIds?: readonly string[] } = {}) => {
      const list = alertList.filter((a) => !query.accountIds || (a.accountId !== null && query.accountIds.includes(a.accountId)));
      return {
        alerts: list,
        counts: { open: list.length, acknowledged: 0, resolved: 0, openCritical: list.length, openWarning: 0, openInfo: 0 },
        asOf: "",
      };
    },
    acknowledgeAlert: track("acknowledgeAlert", async (alertId: string) => alertChange(alertId, "acknowledged")),
    resolveAlert: track("resolveAlert", async (alertId: string) => alertChange(alertId, "resolved")),
    // Corporate actions (routers/corporate-actions.ts): one applied split held in both accounts.
    corporateActions: track("corporateActions", async () => ({
      actions: [
        {
          id: "CA-1",
          kind: "split",
          symbol: "AAPL",
          status: "applied",
          results: {
            positions: [ALPHA, BETA].map((accountId) => ({ accountId, strategy: null, symbol: "AAPL", qtyBefore: "1", qtyAfter: "7" })),
            accounts: [ALPHA, BETA].map((accountId) => ({ accountId, symbol: "AAPL", delta: "6" })),
            orders: [{ orderId: "O-BETA", action: "cancel" }],
          },
          reversal: null,
        },
      ],
    })),
    scheduleCorporateAction: track("scheduleCorporateAction", async () => ({ action: { id: "CA-2" } })),
    reverseCorporateAction: track("reverseCorporateAction", async (id: string) => ({ action: { id, status: "reversed" } })),
    // Reference data as administered (routers/admin-reference.ts): one venue, one instrument, both accounts.
    adminReference: track("adminReference", async () => ({
      venues: [{ id: "SIM-FAST", name: "Sim", kind: "sim", config: {}, enabled: true, state: "running", reason: null }],
      instruments: [{ symbol: "AAPL", name: "Apple", currency: "USD", tickSize: "0.01", lotSize: "1", refPrice: "1", tradable: true }],
      accounts: [
        { id: ALPHA, name: "Alpha" },
        { id: BETA, name: "Beta" },
      ],
    })),
    upsertVenue: track("upsertVenue", async (input: { venue: { id: string } }) => ({ venue: { id: input.venue.id, state: "running" } })),
    setVenueEnabled: track("setVenueEnabled", async (input: { id: string }) => ({ venue: { id: input.id, state: "draining" } })),
    testVenue: track("testVenue", async () => ({ ok: true, steps: [] })),
    upsertInstrument: track("upsertInstrument", async (input: { instrument: unknown }) => ({ instrument: input.instrument })),
    upsertAccount: track("upsertAccount", async (input: { account: unknown }) => ({ account: input.account })),
    // The book as of a past moment (routers/audit.ts asOf): one order and one position per account.
    bookAsOf: track("bookAsOf", async () => ({
      asOf: { seq: 10, ts: "2026-01-01T00:00:00.000000Z", requested: { ts: null, seq: 10 } },
      orders: Object.values(orders),
      ordersTotal: 2,
      working: 2,
      positions,
      pnl: positionBook(undefined),
    })),
    // The hash chain's verification (routers/audit.ts): the engine holds the key.
    auditVerify: track("auditVerify", async () => ({
      ok: true,
      checked: 0,
      firstBadSeq: null,
      reason: null,
      keyedFromSeq: null,
      checkpoints: 0,
    })),
  };
  return { engine: engine as unknown as EngineClient, calls };
}

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
let betaKeyId: string;
let alphaKeyId: string;

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  await prisma.tradingAccount.createMany({
    data: [
      { id: ALPHA, name: "Alpha" },
      { id: BETA, name: "Beta" },
    ],
  });
  const row = (id: string, accountId: string, at: string) => ({
    id,
    clOrdId: id,
    accountId,
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    timeInForce: "DAY",
    orderQty: "1",
    price: "1",
    ordStatus: "Accepted",
    cumQty: "0",
    leavesQty: "1",
    createdBy: "user:t@x",
    createdAt: new Date(at),
    updatedAt: new Date(at),
    lastSeq: 1n,
  });
  await prisma.order.createMany({
    data: [row("O-ALPHA", ALPHA, "2026-01-01T00:00:01Z"), row("O-BETA", BETA, "2026-01-01T00:00:02Z")],
  });
  betaKeyId = (await createApiKey(prisma, { name: "beta-bot", role: "trader", accountIds: [BETA] }, "user:admin@x")).key.id;
  alphaKeyId = (await createApiKey(prisma, { name: "alpha-bot", role: "trader", accountIds: [ALPHA] }, "user:admin@x")).key.id;
  // One execution_metrics row per account (the quality.* analytics).
  for (const [orderId, accountId, at] of [
    ["O-ALPHA", ALPHA, "2026-01-01T00:00:01Z"],
    ["O-BETA", BETA, "2026-01-01T00:00:02Z"],
  ])
    await prisma.$executeRawUnsafe(
      `INSERT INTO execution_metrics (order_id, account_id, symbol, side, order_type, venue, status, size_bucket, received_at, submitted_at,
         sent, rejected, denied, cancelled_unfilled, fully_filled, order_qty, filled_qty, notional, latency_ms, slippage_cost, slippage_bench,
         slippage_bps, fees, updated_seq)
       VALUES ($1, $2, 'AAPL', 'Buy', 'MARKET', 'SIM-FAST', 'OrderFilled', 'lt250', $3::timestamptz, $3::timestamptz,
         true, false, false, false, true, 1, 1, 100, 5, 0.01, 100, 1, 0, 1)`,
      orderId,
      accountId,
      at,
    );
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
}, 30_000);

type Kind = "user" | "key" | "bound";
interface Who {
  label: string;
  kind: Kind;
  role: Role;
  principal: Principal;
}
const PRINCIPALS: Who[] = ROLES.flatMap((role) => [
  {
    label: `${role} (signed in)`,
    kind: "user" as const,
    role,
    principal: { kind: "user", id: `u-${role}`, email: `${role}@x.test`, name: role, role },
  },
  {
    label: `${role} key (every account)`,
    kind: "key" as const,
    role,
    principal: { kind: "apiKey", id: `ak-${role}`, name: `${role}-all`, role, accountIds: [] },
  },
  {
    label: `${role} key (bound to ${ALPHA})`,
    kind: "bound" as const,
    role,
    principal: { kind: "apiKey", id: `ak-b-${role}`, name: `${role}-alpha`, role, accountIds: [ALPHA] },
  },
]);

type Call = (input?: unknown) => Promise<unknown>;
function procedure(principal: Principal | null, path: string, engine = fakeEngine().engine): Call {
  let node: unknown = appRouter.createCaller({ principal, engine, prisma });
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  return node as Call;
}

async function outcome(call: () => Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; code: string; message: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, code: (error as { code?: string }).code ?? "THROWN", message: String((error as Error).message) };
  }
}

/** What a probe expects: a result that passes a check, or an error code. */
type Expect = { code: string; message?: RegExp } | ((value: unknown) => void);

interface Probe {
  name: string;
  input: () => unknown;
  /** For a key bound to ACC-ALPHA. */
  bound: Expect;
  /** For people and keys bound to no account, when their role allows the procedure. */
  unbound: Expect;
}

interface Entry {
  /** null: any authenticated caller. */
  permission: Permission | null;
  /** A call within ACC-ALPHA, for the role check. */
  input: () => unknown;
  /** A bound key may not use the procedure at all (its effect reaches beyond its accounts). */
  boundRefused?: true;
  /** The in-scope call answers this error (e.g. an unknown id) once past the checks. */
  answer?: string;
  probes?: Probe[];
}

const order = (accountId: string) => ({ accountId, symbol: "AAPL", side: "Buy", ordType: "Limit", orderQty: "1", price: "1.00" });
const accountsOf = (v: unknown) => (v as { positions?: { accountId: string }[] }).positions?.map((p) => p.accountId).sort();
const NOT_FOUND_ORDER = { code: "NOT_FOUND", message: /^no order O-(BETA|NOPE)$/ };

const seeOwnAccounts: Probe = {
  name: "see the accounts",
  input: () => undefined,
  bound: (v) => expect((v as ReferenceView).accounts.map((a) => a.id)).toEqual([ALPHA]),
  unbound: (v) => expect((v as ReferenceView).accounts.map((a) => a.id)).toEqual([ALPHA, BETA]),
};
const REASON = "a reason long enough";
/** Reference data administered (routers/admin-reference.ts): risk reads, admin writes, a bound key changes nothing. */
const ADMIN_REFERENCE_ACCESS: Record<string, Entry> = {
  "admin.venues.list": { permission: "reference:read", input: () => undefined, probes: [seeOwnAccounts] },
  "admin.instruments.list": { permission: "reference:read", input: () => undefined, probes: [seeOwnAccounts] },
  "admin.accounts.list": { permission: "reference:read", input: () => undefined, probes: [seeOwnAccounts] },
  "admin.venues.upsert": {
    permission: "reference:write",
    input: () => ({ venue: { id: "SIM-NEW", name: "New", kind: "sim", config: { feeBps: 1 } }, reason: REASON }),
    boundRefused: true,
  },
  "admin.venues.setEnabled": {
    permission: "reference:write",
    input: () => ({ id: "SIM-FAST", enabled: false, reason: REASON }),
    boundRefused: true,
  },
  "admin.venues.test": {
    permission: "reference:write",
    input: () => ({ venue: { id: "SIM-NEW", name: "New", kind: "sim", config: {} } }),
    boundRefused: true,
  },
  "admin.instruments.upsert": {
    permission: "reference:write",
    input: () => ({ instrument: { symbol: "ACME", name: "Acme", tickSize: "0.01", lotSize: "1", refPrice: "10" }, reason: REASON }),
    boundRefused: true,
  },
  "admin.accounts.upsert": {
    permission: "reference:write",
    input: () => ({ account: { id: "ACC-NEW", name: "New" }, reason: REASON }),
    boundRefused: true,
  },
};

const ACCESS: Record<string, Entry> = {
  "orders.submit": {
    permission: "orders:submit",
    input: () => order(ALPHA),
    probes: [
      { name: "submit in another account", input: () => order(BETA), bound: { code: "FORBIDDEN", message: /ACC-BETA/ }, unbound: () => {} },
    ],
  },
  "orders.cancel": {
    permission: "orders:cancel",
    input: () => ({ orderId: "O-ALPHA" }),
    probes: [
      { name: "cancel another account's order", input: () => ({ orderId: "O-BETA" }), bound: NOT_FOUND_ORDER, unbound: () => {} },
      { name: "cancel an unknown order", input: () => ({ orderId: "O-NOPE" }), bound: NOT_FOUND_ORDER, unbound: NOT_FOUND_ORDER },
    ],
  },
  "orders.modify": {
    permission: "orders:submit",
    input: () => ({ orderId: "O-ALPHA", orderQty: "2" }),
    probes: [
      {
        name: "modify another account's order",
        input: () => ({ orderId: "O-BETA", orderQty: "2" }),
        bound: NOT_FOUND_ORDER,
        unbound: () => {},
      },
    ],
  },
  "orders.cancelAll": {
    permission: "orders:cancel",
    input: () => ({ accountId: ALPHA }),
    probes: [
      { name: "cancel all in another account", input: () => ({ accountId: BETA }), bound: { code: "FORBIDDEN" }, unbound: () => {} },
      { name: "cancel all without naming an account", input: () => ({ symbol: "AAPL" }), bound: { code: "FORBIDDEN" }, unbound: () => {} },
    ],
  },
  "orders.get": {
    permission: "orders:read",
    input: () => ({ orderId: "O-ALPHA" }),
    probes: [
      // The same answer for another account's order as for an id that does not exist: nothing tells which ids exist.
      { name: "get another account's order", input: () => ({ orderId: "O-BETA" }), bound: NOT_FOUND_ORDER, unbound: () => {} },
      { name: "get an unknown order", input: () => ({ orderId: "O-NOPE" }), bound: NOT_FOUND_ORDER, unbound: NOT_FOUND_ORDER },
    ],
  },
  "quality.orderMetrics": {
    permission: "orders:read",
    input: () => ({ orderId: "O-ALPHA" }),
    probes: [
      // Like orders.get: another account's order and an unknown id answer the same NOT_FOUND.
      { name: "metrics of another account's order", input: () => ({ orderId: "O-BETA" }), bound: NOT_FOUND_ORDER, unbound: () => {} },
      { name: "metrics of an unknown order", input: () => ({ orderId: "O-NOPE" }), bound: NOT_FOUND_ORDER, unbound: NOT_FOUND_ORDER },
    ],
  },
  "quality.summary": {
    permission: "orders:read",
    input: () => ({}),
    probes: [
      {
        name: "summary over every account",
        input: () => ({ symbol: "AAPL" }),
        // A bound key's summary is filtered to its accounts; people and unbound keys see every account.
        bound: (v) => expect((v as { accountIds: string[] | null }).accountIds).toEqual([ALPHA]),
        unbound: (v) => expect((v as { accountIds: string[] | null }).accountIds).toBeNull(),
      },
    ],
  },
  // Execution quality analytics read the execution_metrics projection (one row per account, seeded below).
  "quality.aggregates": {
    permission: "risk:read",
    input: () => ({ groupBy: "venue" }),
    probes: [
      {
        name: "aggregate every account",
        input: () => ({ groupBy: "venue" }),
        bound: (v) => expect((v as { rows: { orders: number }[] }).rows.map((r) => r.orders)).toEqual([1]),
        unbound: (v) => expect((v as { rows: { orders: number }[] }).rows.map((r) => r.orders)).toEqual([2]),
      },
    ],
  },
  "quality.comparison": {
    permission: "risk:read",
    input: () => ({}),
    probes: [
      {
        name: "compare brokers over every account",
        input: () => ({}),
        bound: (v) => expect((v as { rows: { orders: number }[] }).rows.map((r) => r.orders)).toEqual([1]),
        unbound: (v) => expect((v as { rows: { orders: number }[] }).rows.map((r) => r.orders)).toEqual([2]),
      },
    ],
  },
  "quality.timeseries": {
    permission: "risk:read",
    input: () => ({}),
    probes: [
      {
        name: "time series over every account",
        input: () => ({}),
        bound: (v) => expect((v as { points: { orders: number }[] }).points.reduce((a, p) => a + p.orders, 0)).toBe(1),
        unbound: (v) => expect((v as { points: { orders: number }[] }).points.reduce((a, p) => a + p.orders, 0)).toBe(2),
      },
    ],
  },
  "quality.slippageDistribution": {
    permission: "risk:read",
    input: () => ({}),
    probes: [
      {
        name: "slippage histogram over every account",
        input: () => ({}),
        bound: (v) => expect((v as { bins: { orders: number }[] }).bins.reduce((a, b) => a + b.orders, 0)).toBe(1),
        unbound: (v) => expect((v as { bins: { orders: number }[] }).bins.reduce((a, b) => a + b.orders, 0)).toBe(2),
      },
    ],
  },
  "quality.orders": {
    permission: "risk:read",
    input: () => ({}),
    probes: [
      {
        name: "orders of every account behind a selection",
        input: () => ({}),
        bound: (v) => expect((v as { orders: { orderId: string }[] }).orders.map((o) => o.orderId)).toEqual(["O-ALPHA"]),
        unbound: (v) => expect((v as { orders: { orderId: string }[] }).orders.map((o) => o.orderId)).toEqual(["O-BETA", "O-ALPHA"]),
      },
    ],
  },
  "quality.alertRules": { permission: "risk:read", input: () => undefined },
  "quality.setAlertRule": {
    permission: "risk:write",
    input: () => ({ id: "slow-acks", metric: "ackLatencyP99Ms", threshold: 50 }),
    boundRefused: true,
  },
  "quality.deleteAlertRule": { permission: "risk:write", input: () => ({ id: "no-such-rule" }), answer: "NOT_FOUND", boundRefused: true },
  "orders.list": {
    permission: "orders:read",
    input: () => ({ limit: 10 }),
    probes: [
      {
        name: "list every account",
        input: () => ({ limit: 10 }),
        bound: (v) => expect((v as { orders: { orderId: string }[] }).orders.map((o) => o.orderId)).toEqual(["O-ALPHA"]),
        unbound: (v) => expect((v as { orders: { orderId: string }[] }).orders.map((o) => o.orderId)).toEqual(["O-BETA", "O-ALPHA"]),
      },
      { name: "list another account", input: () => ({ limit: 10, accountId: BETA }), bound: { code: "FORBIDDEN" }, unbound: () => {} },
      {
        name: "page from another account's order",
        input: () => ({ limit: 10, cursor: "O-BETA" }),
        bound: (v) => expect(v).toEqual({ orders: [], nextCursor: null }),
        unbound: (v) => expect((v as { orders: { orderId: string }[] }).orders.map((o) => o.orderId)).toEqual(["O-ALPHA"]),
      },
    ],
  },
  "session.me": { permission: null, input: () => undefined },
  "reference.get": {
    permission: "orders:read",
    input: () => undefined,
    probes: [
      {
        name: "see the accounts",
        input: () => undefined,
        bound: (v) => expect((v as ReferenceView).accounts.map((a) => a.id)).toEqual([ALPHA]),
        unbound: (v) => expect((v as ReferenceView).accounts.map((a) => a.id)).toEqual([ALPHA, BETA]),
      },
    ],
  },
  "admin.apiKeys.create": {
    permission: "admin:apikeys",
    input: () => ({ name: "made", role: "trader", accountIds: [ALPHA] }),
    probes: [
      // A bound admin key minting an unbound admin key would read every account.
      {
        name: "mint a key bound to no account",
        input: () => ({ name: "wide", role: "admin", accountIds: [] }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
      {
        name: "mint a key for another account",
        input: () => ({ name: "beta", role: "trader", accountIds: [BETA] }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
      {
        name: "mint a key for its own and another account",
        input: () => ({ name: "both", role: "trader", accountIds: [ALPHA, BETA] }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: () => {},
      },
    ],
  },
  "admin.apiKeys.list": {
    permission: "apikeys:read",
    input: () => undefined,
    probes: [
      {
        name: "list keys",
        input: () => undefined,
        bound: (v) => {
          const keys = (v as { keys: { id: string; accountIds: string[] }[] }).keys;
          expect(keys.map((k) => k.id)).toContain(alphaKeyId);
          expect(keys.every((k) => k.accountIds.length > 0 && k.accountIds.every((a) => a === ALPHA))).toBe(true);
        },
        unbound: (v) => expect((v as { keys: { id: string }[] }).keys.map((k) => k.id)).toContain(betaKeyId),
      },
    ],
  },
  "admin.apiKeys.revoke": {
    permission: "admin:apikeys",
    input: () => ({ id: "ak-nonexistent" }),
    answer: "NOT_FOUND",
    probes: [
      {
        name: "revoke another account's key",
        input: () => ({ id: betaKeyId }),
        bound: { code: "NOT_FOUND", message: /^no API key/ },
        unbound: (v) => expect((v as { key: { id: string; revokedAt: string | null } }).key).toMatchObject({ id: betaKeyId }),
      },
    ],
  },
  // User administration (routers/users.ts): admins only; users are not scoped to accounts, so a bound key is refused.
  // routers/users.test.ts makes the changes and checks their journal events.
  "users.list": { permission: "admin:users", input: () => undefined, boundRefused: true },
  "users.create": {
    permission: "admin:users",
    input: () => ({
      email: `made-${Math.random().toString(36).slice(2)}@x.test`,
      name: "Made",
      role: "trader",
      password: "correct-horse-1",
    }),
    boundRefused: true,
  },
  "users.setRole": {
    permission: "admin:users",
    input: () => ({ userId: "u-none", role: "risk" }),
    answer: "NOT_FOUND",
    boundRefused: true,
  },
  "users.disable": { permission: "admin:users", input: () => ({ userId: "u-none" }), answer: "NOT_FOUND", boundRefused: true },
  "risk.limits.get": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see limits and trading states",
        input: () => undefined,
        bound: (v) => {
          expect(Object.keys((v as RiskView).limits)).toEqual([`account:${ALPHA}`]);
          expect(Object.keys((v as RiskView).tradingStates).sort()).toEqual(["global", "symbol:AAPL"]);
        },
        unbound: (v) => expect(Object.keys((v as RiskView).limits).sort()).toEqual([`account:${ALPHA}`, `account:${BETA}`]),
      },
    ],
  },
  "risk.limits.set": {
    permission: "risk:write",
    input: () => ({ scope: `account:${ALPHA}`, limits: { maxOrderQty: "5" } }),
    probes: [
      {
        name: "set another account's limits",
        input: () => ({ scope: `account:${BETA}`, limits: { maxOrderQty: "5" } }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
      {
        name: "set the default limits",
        input: () => ({ scope: "default", limits: { maxOrderQty: "5" } }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
    ],
  },
  "risk.tradingState.set": {
    permission: "controls:halt",
    input: () => ({ scope: `account:${ALPHA}`, state: "HALTED", reason: "test" }),
    probes: [
      {
        name: "halt another account",
        input: () => ({ scope: `account:${BETA}`, state: "HALTED", reason: "x" }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
      {
        name: "halt everything",
        input: () => ({ scope: "global", state: "HALTED", reason: "x" }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
      {
        name: "halt a symbol",
        input: () => ({ scope: "symbol:AAPL", state: "HALTED", reason: "x" }),
        bound: { code: "FORBIDDEN" },
        unbound: () => {},
      },
    ],
  },
  "risk.positions": {
    permission: "orders:read",
    input: () => undefined,
    probes: [
      {
        name: "see positions",
        input: () => undefined,
        bound: (v) => expect(accountsOf(v)).toEqual([ALPHA]),
        unbound: (v) => expect(accountsOf(v)).toEqual([ALPHA, BETA]),
      },
    ],
  },
  "positions.snapshot": {
    permission: "risk:read",
    input: () => ({ method: "fifo" }),
    probes: [
      {
        name: "see every account's positions and totals",
        input: () => undefined,
        bound: (v) => {
          const snap = v as { rows: { accountId: string }[]; byAccount: { group: { accountId: string } }[]; firm: { positions: number } };
          expect(snap.rows.map((r) => r.accountId)).toEqual([ALPHA]);
          expect(snap.byAccount.map((r) => r.group.accountId)).toEqual([ALPHA]);
          // The firm total is computed over its own accounts only.
          expect(snap.firm.positions).toBe(1);
        },
        unbound: (v) => expect((v as { rows: { accountId: string }[] }).rows.map((r) => r.accountId)).toEqual([ALPHA, BETA]),
      },
      {
        name: "ask for another account's positions",
        input: () => ({ accountIds: [ALPHA, BETA] }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: () => {},
      },
    ],
  },
  "positions.fills": {
    permission: "risk:read",
    input: () => ({ accountId: ALPHA, symbol: "AAPL", strategy: null }),
    probes: [
      {
        name: "fills of another account's position",
        input: () => ({ accountId: BETA, symbol: "AAPL" }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect(v).toEqual({ fills: [] }),
      },
    ],
  },
  "positions.pnlSeries": {
    permission: "risk:read",
    input: () => ({ accountId: ALPHA }),
    probes: [
      { name: "another account's P&L", input: () => ({ accountId: BETA }), bound: { code: "FORBIDDEN" }, unbound: () => {} },
      {
        name: "the firm-wide P&L",
        input: () => ({}),
        bound: { code: "FORBIDDEN", message: /bound to accounts/ },
        unbound: (v) => expect(v).toMatchObject({ accountId: null }),
      },
    ],
  },
  "controls.state": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see halted scopes",
        input: () => undefined,
        bound: (v) => expect((v as { states: { scope: string }[] }).states.map((s) => s.scope)).toEqual(["global", `account:${ALPHA}`]),
        unbound: (v) => expect((v as { states: unknown[] }).states).toHaveLength(3),
      },
    ],
  },
  ...Object.fromEntries(
    (
      [
        ["controls.preview", (scope: string) => ({ scope })],
        ["controls.trip", (scope: string) => ({ scope, actions: ["haltNewOrders"], reason: "a long enough reason" })],
        ["controls.reset", (scope: string) => ({ scope, reason: "a long enough reason" })],
        ["controls.approveReset", (scope: string) => ({ scope })],
      ] as const
    ).map(([path, input]): [string, Entry] => [
      path,
      {
        permission: "controls:halt",
        input: () => input(`account:${ALPHA}`),
        probes: [
          { name: "another account", input: () => input(`account:${BETA}`), bound: { code: "FORBIDDEN" }, unbound: () => {} },
          {
            name: "everything",
            input: () => input("global"),
            bound: { code: "FORBIDDEN", message: /bound to accounts/ },
            unbound: () => {},
          },
          { name: "a venue", input: () => input("venue:SIM-FAST"), bound: { code: "FORBIDDEN" }, unbound: () => {} },
          {
            name: "another account's strategy",
            input: () => input(`account:${BETA}/strategy:S1`),
            bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
            unbound: () => {},
          },
        ],
      },
    ]),
  ),
  "controls.breakers.list": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see breakers",
        input: () => undefined,
        bound: (v) => expect((v as { breakers: { name: string }[] }).breakers.map((b) => b.name)).toEqual(["b0", "b1"]),
        unbound: (v) => expect((v as { breakers: unknown[] }).breakers).toHaveLength(3),
      },
    ],
  },
  "controls.breakers.set": {
    permission: "controls:halt",
    input: () => ({
      name: "alpha-loss",
      config: { condition: "dailyLoss", scope: `account:${ALPHA}`, enabled: true, threshold: 1000, actions: ["haltNewOrders"] },
    }),
    boundRefused: true,
  },
  "controls.deadman.list": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see dead-man's switches",
        input: () => undefined,
        bound: (v) => expect((v as { switches: { id: string }[] }).switches.map((s) => s.id)).toEqual(["key:k0", "key:k1"]),
        unbound: (v) => expect((v as { switches: unknown[] }).switches).toHaveLength(3),
      },
    ],
  },
  "controls.deadman.set": {
    permission: "controls:halt",
    input: () => ({ id: "strategy:S1", config: { enabled: true, timeoutMs: 5000 } }),
    boundRefused: true,
  },
  "controls.deadman.heartbeat": {
    permission: "orders:submit",
    input: () => ({ id: "strategy:S1" }),
    probes: [
      {
        name: "keep another key's switch alive",
        input: () => ({ id: "key:someone-else" }),
        bound: { code: "FORBIDDEN", message: /only its own/ },
        unbound: { code: "FORBIDDEN", message: /only its own/ },
      },
    ],
  },
  "reconciliation.breaks": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see breaks and unknown-fate orders",
        input: () => undefined,
        bound: (v) => {
          const view = v as { breaks: { breakId: string }[]; unknownFate: { order: { orderId: string } }[]; lastRun: { found: string[] } };
          expect(view.breaks.map((b) => b.breakId)).toEqual(["BRK-1"]);
          expect(view.unknownFate.map((u) => u.order.orderId)).toEqual(["O-ALPHA"]);
          expect(view.lastRun.found).toEqual(["BRK-1"]);
        },
        unbound: (v) => expect((v as { breaks: { breakId: string }[] }).breaks.map((b) => b.breakId)).toEqual(["BRK-1", "BRK-2", "BRK-3"]),
      },
    ],
  },
  "reconciliation.run": { permission: "risk:write", input: () => undefined, boundRefused: true },
  "reconciliation.importStatement": {
    permission: "risk:write",
    input: () => ({ source: "eod", csv: `account,symbol,quantity\n${ALPHA},AAPL,5\n` }),
    boundRefused: true,
  },
  "reconciliation.resolve": {
    permission: "risk:write",
    input: () => ({ breakId: "BRK-1", action: "investigated", note: "checked" }),
    probes: [
      {
        name: "resolve another account's break",
        input: () => ({ breakId: "BRK-2", action: "investigated", note: "checked" }),
        bound: { code: "NOT_FOUND", message: /^no break BRK-2$/ },
        unbound: () => {},
      },
      {
        name: "resolve a break of no account (a venue's one book)",
        input: () => ({ breakId: "BRK-3", action: "investigated", note: "checked" }),
        bound: { code: "NOT_FOUND", message: /^no break BRK-3$/ },
        unbound: () => {},
      },
      {
        name: "resolve an unknown break",
        input: () => ({ breakId: "BRK-99", action: "adopt", note: "the broker is right" }),
        bound: { code: "NOT_FOUND", message: /^no break BRK-99$/ },
        unbound: { code: "NOT_FOUND", message: /^no break BRK-99$/ },
      },
      {
        name: "adopt without a real reason",
        input: () => ({ breakId: "BRK-1", action: "adopt", note: "ok" }),
        bound: { code: "BAD_REQUEST", message: /at least 10 characters/ },
        unbound: { code: "BAD_REQUEST", message: /at least 10 characters/ },
      },
      {
        name: "investigated without a note",
        input: () => ({ breakId: "BRK-1", action: "investigated", note: "  " }),
        bound: { code: "BAD_REQUEST" },
        unbound: { code: "BAD_REQUEST" },
      },
    ],
  },
  "reconciliation.settleOrder": {
    permission: "risk:write",
    input: () => ({ orderId: "O-ALPHA", outcome: "cancelled", reason: "the venue lost it" }),
    probes: [
      {
        name: "settle another account's order",
        input: () => ({ orderId: "O-BETA", outcome: "venue", reason: "ask the venue" }),
        bound: NOT_FOUND_ORDER,
        unbound: () => {},
      },
      {
        name: "settle an unknown order",
        input: () => ({ orderId: "O-NOPE", outcome: "cancelled", reason: "gone" }),
        bound: NOT_FOUND_ORDER,
        unbound: NOT_FOUND_ORDER,
      },
    ],
  },
  "alerts.list": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see alerts",
        input: () => ({ state: "all" }),
        bound: (v) => expect((v as { alerts: { alertId: string }[] }).alerts.map((a) => a.alertId)).toEqual(["AL-1"]),
        unbound: (v) => expect((v as { alerts: { alertId: string }[] }).alerts.map((a) => a.alertId)).toEqual(["AL-1", "AL-2", "AL-3"]),
      },
    ],
  },
  "alerts.count": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "count only its accounts' alerts",
        input: () => undefined,
        bound: (v) => expect(v).toMatchObject({ open: 1 }),
        unbound: (v) => expect(v).toMatchObject({ open: 3 }),
      },
    ],
  },
  ...Object.fromEntries(
    (["acknowledge", "resolve"] as const).map((action): [string, Entry] => [
      `alerts.${action}`,
      {
        permission: "risk:write",
        input: () => ({ alertId: "AL-1", note: "on it, calling the venue" }),
        probes: [
          {
            name: `${action} another account's alert`,
            input: () => ({ alertId: "AL-2", note: "n" }),
            bound: { code: "NOT_FOUND", message: /^no alert AL-2$/ },
            unbound: () => {},
          },
          {
            name: `${action} an alert of no account (a venue)`,
            input: () => ({ alertId: "AL-3", note: "n" }),
            bound: { code: "NOT_FOUND", message: /^no alert AL-3$/ },
            unbound: () => {},
          },
          {
            name: `${action} an unknown alert`,
            input: () => ({ alertId: "AL-99", note: "n" }),
            bound: { code: "NOT_FOUND", message: /^no alert AL-99$/ },
            unbound: { code: "NOT_FOUND", message: /^no alert AL-99$/ },
          },
          {
            name: `${action} something that is not an alert id`,
            input: () => ({ alertId: "../orders", note: "n" }),
            bound: { code: "BAD_REQUEST" },
            unbound: { code: "BAD_REQUEST" },
          },
        ],
      },
    ]),
  ),
  // Audit (routers/audit.ts): this database's journal is empty; audit.test.ts searches a filled one.
  "audit.search": {
    permission: "audit:read",
    input: () => ({ accountId: ALPHA }),
    probes: [
      {
        name: "search another account",
        input: () => ({ accountId: BETA }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: () => {},
      },
      { name: "search every account", input: () => ({}), bound: (v) => expect(v).toMatchObject({ events: [] }), unbound: () => {} },
    ],
  },
  "audit.orderHistory": {
    permission: "audit:read",
    input: () => ({ orderId: "O-ALPHA" }),
    answer: "NOT_FOUND",
    probes: [
      { name: "history of an unknown order", input: () => ({ orderId: "O-NOPE" }), bound: NOT_FOUND_ORDER, unbound: NOT_FOUND_ORDER },
    ],
  },
  "audit.verify": { permission: "audit:read", input: () => undefined, boundRefused: true },
  "audit.asOf": {
    permission: "audit:read",
    input: () => ({ seq: 10 }),
    probes: [
      {
        name: "the book of the past: only its accounts' orders and positions",
        input: () => ({ ts: "2026-01-01T00:00:00Z" }),
        bound: (v) => {
          const book = v as {
            orders: { accountId: string }[];
            positions: { accountId: string }[];
            pnl: { rows: { accountId: string }[]; byAccount: { group: { accountId: string } }[]; firm: unknown; byStrategy: unknown[] };
            historical: boolean;
          };
          expect(book.historical).toBe(true);
          expect([...book.orders, ...book.positions, ...book.pnl.rows].map((x) => x.accountId)).toEqual([ALPHA, ALPHA, ALPHA]);
          // Totals spanning other accounts are not shown to a bound key.
          expect([book.pnl.byAccount.map((r) => r.group.accountId), book.pnl.firm, book.pnl.byStrategy]).toEqual([[ALPHA], null, []]);
        },
        unbound: (v) => expect((v as { orders: unknown[] }).orders).toHaveLength(2),
      },
      { name: "neither ts nor seq", input: () => ({}), bound: { code: "BAD_REQUEST" }, unbound: { code: "BAD_REQUEST" } },
      {
        name: "another account's book asked for by name: nothing of it",
        input: () => ({ seq: 10, accountId: BETA }),
        bound: (v) => {
          const book = v as { orders: unknown[]; positions: unknown[]; ordersTotal: number; pnl: { rows: unknown[] } };
          expect([book.orders, book.positions, book.pnl.rows, book.ordersTotal]).toEqual([[], [], [], 0]);
        },
        unbound: (v) => expect((v as { historical: boolean }).historical).toBe(true),
      },
    ],
  },
  // Every process's health: system-wide, so no bound key; answers even with the engine unreachable (here: no engine URL).
  "system.health": { permission: "system:read", input: () => undefined, boundRefused: true },
  // Reports (routers/reports.ts): this database has no fills; reports/trade-report.test.ts computes figures.
  "reports.trades": {
    permission: "audit:read",
    input: () => ({ reportType: "daily", asOf: "2026-01-02" }),
    probes: [
      {
        name: "report another account",
        input: () => ({ reportType: "daily", asOf: "2026-01-02", filters: { accountId: BETA } }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect(v).toMatchObject({ metrics: { totalTrades: 0 } }),
      },
    ],
  },
  "reports.orderHistory": {
    permission: "orders:read",
    input: () => ({ filters: { accountId: ALPHA } }),
    probes: [
      {
        name: "history of another account",
        input: () => ({ filters: { accountId: BETA } }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect((v as { orders: { accountId: string }[] }).orders.map((o) => o.accountId)).toEqual(["ACC-BETA"]),
      },
      {
        name: "a forged cursor",
        input: () => ({ cursor: "bm90LWEtY3Vyc29y" }),
        bound: { code: "BAD_REQUEST" },
        unbound: { code: "BAD_REQUEST" },
      },
    ],
  },
  // Exports (exports/jobs.ts): started here, written in the background; exports/jobs.test.ts follows one to the file.
  "reports.exportStart": {
    permission: "orders:read",
    input: () => ({ source: "orders", format: "csv", input: { filters: { accountId: ALPHA } } }),
    probes: [
      {
        name: "export another account's orders",
        input: () => ({ source: "orders", format: "csv", input: { filters: { accountId: BETA } } }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect(v).toMatchObject({ status: "running" }),
      },
      {
        name: "export another account's blotter view",
        input: () => ({ source: "blotter", format: "csv", input: { accountId: BETA } }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect(v).toMatchObject({ status: "running", total: expect.any(Number) }),
      },
    ],
  },
  "reports.exportStatus": {
    permission: "orders:read",
    input: () => ({ id: "00000000-0000-4000-8000-000000000000" }),
    answer: "NOT_FOUND",
    probes: [
      {
        name: "not an export id",
        input: () => ({ id: "../../etc/passwd" }),
        bound: { code: "BAD_REQUEST" },
        unbound: { code: "BAD_REQUEST" },
      },
    ],
  },
  // The caller's own exports (exports/jobs.ts recentExports): a bound key's list holds its own exports only.
  "reports.exportList": { permission: "orders:read", input: () => ({ limit: 5 }) },
  // Regulatory outputs (routers/regulatory.ts): 605/606/CAT span every account, so a bound key gets only its own
  // account's 606(b)(3); this database's journal is empty; reports/regulatory/journal.test.ts computes figures.
  "reports.regulatory.preview": {
    permission: "reports:regulatory",
    input: () => ({ kind: "customer606", accountId: ALPHA, month: "2026-08" }),
    probes: [
      {
        name: "a firm-wide Rule 605 report",
        input: () => ({ kind: "rule605", month: "2026-08" }),
        bound: { code: "FORBIDDEN", message: /bound to accounts/ },
        unbound: (v) => expect(v).toMatchObject({ fileName: "FLMR202608.txt", rows: 0 }),
      },
      {
        name: "another account's 606(b)(3) report",
        input: () => ({ kind: "customer606", accountId: BETA, month: "2026-08" }),
        bound: { code: "FORBIDDEN", message: /ACC-BETA/ },
        unbound: (v) => expect(v).toMatchObject({ rows: 0 }),
      },
      {
        name: "a quarter that does not exist",
        input: () => ({ kind: "rule606", quarter: "2026-Q5" }),
        bound: { code: "BAD_REQUEST" },
        unbound: { code: "BAD_REQUEST" },
      },
    ],
  },
  "reports.regulatory.export": {
    permission: "reports:regulatory",
    input: () => ({ kind: "customer606", accountId: ALPHA, month: "2026-08" }),
    probes: [
      {
        name: "a firm-wide CAT file",
        input: () => ({ kind: "cat", day: "2026-08-03" }),
        bound: { code: "FORBIDDEN", message: /bound to accounts/ },
        unbound: (v) => expect(v).toMatchObject({ fileName: "12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2", rows: 0 }),
      },
    ],
  },
  // Scheduled daily reports and digests (scheduler/router.ts): they cover every account, so a bound key is refused;
  // scheduler/scheduler.test.ts writes and lists them.
  "reports.scheduled.list": { permission: "audit:read", input: () => undefined, boundRefused: true },
  "venues.list": { permission: "orders:read", input: () => undefined },
  "venues.setOutage": { permission: "venues:manage", input: () => ({ venueId: "SIM-FAST", down: false }), boundRefused: true },
  ...ADMIN_REFERENCE_ACCESS,
  "corporateActions.list": {
    permission: "risk:read",
    input: () => undefined,
    probes: [
      {
        name: "see corporate actions with only its accounts' results",
        input: () => undefined,
        bound: (v) => {
          const [a] = (v as { actions: { results: { positions: { accountId: string }[]; orders: unknown[] } }[] }).actions;
          expect(a?.results.positions.map((p) => p.accountId)).toEqual([ALPHA]);
          expect(a?.results.orders).toEqual([]);
        },
        unbound: (v) =>
          expect(
            (v as { actions: { results: { positions: { accountId: string }[] } }[] }).actions[0]?.results.positions.map((p) => p.accountId),
          ).toEqual([ALPHA, BETA]),
      },
    ],
  },
  "corporateActions.schedule": {
    permission: "risk:write",
    input: () => ({ kind: "split", symbol: "AAPL", effectiveDate: "2030-01-02", ratioNew: "7", ratioOld: "1", reason: "7-for-1" }),
    boundRefused: true,
  },
  "corporateActions.reverse": { permission: "risk:write", input: () => ({ id: "CA-1", reason: "entered in error" }), boundRefused: true },
};

describe("the access table", () => {
  it("has an entry for every procedure of the router, and none for a procedure that does not exist", () => {
    expect(Object.keys(ACCESS).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
  });
});

const rows = Object.entries(ACCESS).flatMap(([path, entry]) => PRINCIPALS.map((who) => [path, who.label, entry, who] as const));

describe("every procedure, every role, people and keys", () => {
  it.each(Object.keys(ACCESS))("%s refuses a caller with no session or API key", async (path) => {
    const result = await outcome(() => procedure(null, path)(ACCESS[path]?.input()));
    expect(result).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
  });

  it.each(rows)("%s as %s: allowed, refused or confined", async (path, _label, entry, who) => {
    const permitted = entry.permission === null || can(who.role, entry.permission);
    const { engine, calls } = fakeEngine();
    const result = await outcome(() => procedure(who.principal, path, engine)(entry.input()));
    if (!permitted) {
      expect(result).toMatchObject({
        ok: false,
        code: "FORBIDDEN",
        message: new RegExp(`${who.role} lacks permission ${entry.permission}`),
      });
      expect(calls).toEqual([]);
      return;
    }
    if (who.kind === "bound" && entry.boundRefused) {
      expect(result).toMatchObject({ ok: false, code: "FORBIDDEN", message: /bound to accounts/ });
      expect(calls).toEqual([]);
      return;
    }
    if (entry.answer) expect(result).toMatchObject({ ok: false, code: entry.answer });
    else expect(result, JSON.stringify(result)).toMatchObject({ ok: true });

    for (const probe of entry.probes ?? []) {
      const expected = who.kind === "bound" ? probe.bound : probe.unbound;
      const { engine: probeEngine, calls: probeCalls } = fakeEngine();
      const answer = await outcome(() => procedure(who.principal, path, probeEngine)(probe.input()));
      if (typeof expected === "function") {
        expect(answer, `${probe.name}: ${JSON.stringify(answer)}`).toMatchObject({ ok: true });
        if (answer.ok) expected(answer.value);
      } else {
        expect(answer, probe.name).toMatchObject({ ok: false, code: expected.code });
        if (!answer.ok && expected.message) expect(answer.message, probe.name).toMatch(expected.message);
        // A bound key's refused change never reaches the engine.
        if (who.kind === "bound") expect(probeCalls, probe.name).toEqual([]);
      }
    }
  });
});

describe("key confinement, scenario by scenario", () => {
  const boundAdmin: Principal = { kind: "apiKey", id: "ak-b-admin", name: "admin-alpha", role: "admin", accountIds: [ALPHA] };

  it("a bound admin key cannot mint an unbound admin key that would read every account", async () => {
    const mint = procedure(boundAdmin, "admin.apiKeys.create");
    await expect(mint({ name: "escape", role: "admin", accountIds: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const before = await prisma.apiKey.count({ where: { name: "escape" } });
    expect(before).toBe(0);
    const made = (await mint({ name: "alpha-child", role: "trader", accountIds: [ALPHA] })) as {
      key: { accountIds: string[]; createdBy: string };
    };
    expect(made.key).toMatchObject({ accountIds: [ALPHA], createdBy: "key:ak-b-admin" });
  });

  it("orders.get answers the same NOT_FOUND for another account's order and for an unknown id", async () => {
    const get = procedure({ kind: "apiKey", id: "ak-t", name: "t", role: "trader", accountIds: [ALPHA] }, "orders.get");
    const other = await outcome(() => get({ orderId: "O-BETA" }));
    const unknown = await outcome(() => get({ orderId: "O-NOPE" }));
    expect(other).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect({ ...unknown, message: (unknown as { message: string }).message.replace("O-NOPE", "O-BETA") }).toEqual(other);
  });

  it("a bound risk key halts its own account but not another account, a symbol or everything", async () => {
    const { engine, calls } = fakeEngine();
    const set = procedure(
      { kind: "apiKey", id: "ak-r", name: "risk-alpha", role: "risk", accountIds: [ALPHA] },
      "risk.tradingState.set",
      engine,
    );
    await expect(set({ scope: `account:${ALPHA}`, state: "HALTED", reason: "own" })).resolves.toBeDefined();
    for (const scope of [`account:${BETA}`, "global", "symbol:AAPL"])
      await expect(set({ scope, state: "HALTED", reason: "other" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(calls).toEqual(["setTradingState"]);
  });

  it("a role never mints a key with permissions it lacks", async () => {
    // Only admins hold admin:apikeys today, and admins hold every permission: the rule is checked on the scope itself.
    const { AccountScope } = await import("../scope");
    const risk = AccountScope.of({ kind: "user", id: "u", email: "r@x", name: "r", role: "risk" });
    expect(() => risk.assertMayMint("admin", [])).toThrow(/would grant .*admin:apikeys/);
    // compliance holds reports:regulatory, which risk lacks: a risk user cannot hand it out through a key.
    expect(() => risk.assertMayMint("compliance", [])).toThrow(/would grant .*reports:regulatory/);
    expect(() => risk.assertMayMint("risk", [])).not.toThrow();
    const compliance = AccountScope.of({ kind: "user", id: "u", email: "c@x", name: "c", role: "compliance" });
    expect(() => compliance.assertMayMint("compliance", [])).not.toThrow();
  });

  it("regulatory files are compliance's and admin's only: risk and trader get FORBIDDEN, people and keys", async () => {
    expect(ROLES.filter((role) => can(role, "reports:regulatory"))).toEqual(["compliance", "admin"]);
    for (const role of ["risk", "trader"] as const)
      for (const principal of [
        { kind: "user", id: `u-${role}`, email: `${role}@x`, name: role, role },
        { kind: "apiKey", id: `ak-${role}`, name: role, role, accountIds: [] },
      ] satisfies Principal[]) {
        const { engine, calls } = fakeEngine();
        for (const path of ["reports.regulatory.preview", "reports.regulatory.export"])
          await expect(procedure(principal, path, engine)({ kind: "rule605", month: "2026-08" })).rejects.toMatchObject({
            code: "FORBIDDEN",
            message: `role ${role} lacks permission reports:regulatory`,
          });
        expect(calls).toEqual([]);
      }
  });

  it("validates input before anything is sent", async () => {
    const { engine, calls } = fakeEngine();
    await expect(
      procedure(PRINCIPALS[0]?.principal ?? null, "orders.submit", engine)({ ...order(ALPHA), orderQty: "0" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(calls).toEqual([]);
  });
});
