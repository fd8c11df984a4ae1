import http from "node:http";
import type {
  AdminInstrumentView,
  AdminReferenceView,
  AdminVenueView,
  CancelAll,
  ConnectionTestView,
  FixMessageView,
  ModifyOrder,
  Order,
  PnlMethod,
  PnlSeries,
  PositionFill,
  PositionsResponse,
  SetRiskLimits,
  SetTradingState,
  SubmitOrderInput,
} from "@fillmore/shared";
import { type ConcurrencyGate, OverloadedError } from "./backpressure";
import { type ChannelAnswer, ChannelLostError, type ChannelOp, EngineChannel } from "./engine-channel";
import type {
  AlertListView,
  AlertSeverity,
  AlertStateFilter,
  AlertView,
  AuditVerifyView,
  BookAsOfView,
  CorporateActionInput,
  CorporateActionView,
  ExecutionMetricsView,
  PositionView,
  QualitySummaryView,
  ReconciliationBreak,
  ReconciliationRun,
  ReconciliationView,
  ReferenceView,
  RiskView,
  StatementImport,
  VenueView,
} from "./engine-views";

export type * from "./engine-views";
export type { FixMessageView };

export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** The gateway's client for the engine's internal API (loopback, service token). */
export class EngineClient {
  /**
   * node:http with kept-alive connections rather than fetch: Next patches the global fetch with
   * per-call instrumentation, which on this hot path cost more than the engine's own work.
   */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** Submit, cancel and modify over the engine's order channel when it is open (engine-channel.ts). */
  private readonly channel: EngineChannel | null;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    /** Bounds the calls in flight to the engine; past it a call fails at once with 503 OVERLOADED (backpressure.ts). */
    readonly gate?: ConcurrencyGate,
    options: { orderChannel?: boolean } = {},
  ) {
    this.channel = options.orderChannel ? new EngineChannel(baseUrl, this.authHeader) : null;
  }

  submit(order: SubmitOrderInput, actor: string) {
    return this.command<{ order: Order; duplicate: boolean }>("submit", "/v1/orders", { actor, order });
  }

  cancel(orderId: string, actor: string) {
    return this.command<{ order: Order }>("cancel", `/v1/orders/${encodeURIComponent(orderId)}/cancel`, { actor }, orderId);
  }

  modify(input: ModifyOrder, actor: string) {
    const { orderId, ...changes } = input;
    return this.command<{ order: Order }>("modify", `/v1/orders/${encodeURIComponent(orderId)}/modify`, { actor, ...changes }, orderId);
  }

  /** Ends the order channel, if open (HTTP connections are kept-alive and close themselves). */
  close(): void {
    this.channel?.close();
  }

  cancelAll(filter: CancelAll, actor: string) {
    return this.call<{ requested: number; cancelled: string[]; skipped: { orderId: string; reason: string }[] }>(
      "POST",
      "/v1/orders/cancel-all",
      { actor, ...filter },
    );
  }

  risk() {
    return this.call<RiskView>("GET", "/v1/risk");
  }

  setRiskLimits(input: SetRiskLimits, actor: string) {
    return this.call<RiskView>("POST", "/v1/risk/limits", { actor, ...input });
  }

  setTradingState(input: SetTradingState, actor: string) {
    return this.call<RiskView>("POST", "/v1/risk/trading-state", { actor, ...input });
  }

  venues() {
    return this.call<{ venues: VenueView[] }>("GET", "/v1/venues");
  }

  setOutage(venueId: string, down: boolean, actor: string) {
    return this.call<{ venues: VenueView[] }>("POST", `/v1/venues/${encodeURIComponent(venueId)}/outage`, { actor, down });
  }

  positions() {
    return this.call<{ positions: PositionView[] }>("GET", "/v1/positions");
  }

  /**
   * Positions and P&L with roll-ups (packages/shared/src/positions.ts). `accountIds` absent: every
   * account; `strategy` null: the books without a strategy; `method` absent: each account's own.
   */
  positionBook(query: { accountIds?: readonly string[]; strategy?: string | null; method?: PnlMethod } = {}) {
    const params = new URLSearchParams();
    for (const accountId of query.accountIds ?? []) params.append("accountId", accountId);
    if (query.strategy !== undefined) params.set("strategy", query.strategy ?? "");
    if (query.method !== undefined) params.set("method", query.method);
    const qs = params.toString();
    return this.call<PositionsResponse>("GET", `/v1/positions${qs ? `?${qs}` : ""}`);
  }

  /** The fills behind one position (strategy null: the book without a strategy), oldest first. */
  positionFills(query: { accountId: string; symbol: string; strategy: string | null }) {
    const params = new URLSearchParams({ accountId: query.accountId, symbol: query.symbol, strategy: query.strategy ?? "" });
    return this.call<{ fills: PositionFill[] }>("GET", `/v1/positions/fills?${params}`);
  }

  /** Intraday P&L of one account (absent: firm-wide), oldest first. */
  pnlSeries(accountId?: string) {
    const qs = accountId === undefined ? "" : `?${new URLSearchParams({ accountId })}`;
    return this.call<PnlSeries>("GET", `/v1/positions/pnl-series${qs}`);
  }

  /** Server-sent `PositionChanged` messages; no resume: take a snapshot on every (re)connect. */
  get positionsStreamUrl(): string {
    return `${this.baseUrl}/v1/positions/stream`;
  }

  order(orderId: string) {
    return this.call<{ order: Order; events: unknown[] }>("GET", `/v1/orders/${encodeURIComponent(orderId)}`);
  }

  /** Reconciliation breaks (open first), the sources' state, the last run and unknown-fate orders; `accountIds`: only those accounts' (no account-less breaks). */
  reconciliationBreaks(query: { accountIds?: readonly string[]; status?: "open" | "all" } = {}) {
    const params = new URLSearchParams();
    for (const accountId of query.accountIds ?? []) params.append("accountId", accountId);
    if (query.status === "open") params.set("status", "open");
    const qs = params.toString();
    return this.call<ReconciliationView>("GET", `/v1/reconciliation/breaks${qs ? `?${qs}` : ""}`);
  }

  /** Compares every source with our books now (a run already under way is waited for). */
  runReconciliation(actor: string) {
    return this.call<ReconciliationRun>("POST", "/v1/reconciliation/run", { actor });
  }

  /** Adopt the broker's view (a journaled adjusting entry) or mark the break investigated; the note says why. */
  resolveBreak(breakId: string, input: { action: "adopt" | "investigated"; note: string }, actor: string) {
    return this.call<{ break: ReconciliationBreak }>("POST", `/v1/reconciliation/breaks/${encodeURIComponent(breakId)}/resolve`, {
      actor,
      ...input,
    });
  }

  /** A broker statement (positions CSV, optional trades CSV, column mapping), kept under its name and compared at once. */
  importStatement(input: StatementImport, actor: string) {
    return this.call<{ source: string; rows: { positions: number; trades: number }; result: ReconciliationRun }>(
      "POST",
      "/v1/reconciliation/statements",
      { actor, ...input },
    );
  }

  /** Settles an order whose fate is unknown: cancelled with the reason, or the venue's answer adopted. */
  settleOrder(orderId: string, input: { outcome: "cancelled" | "venue"; reason: string }, actor: string) {
    return this.call<{ order: Order }>("POST", `/v1/orders/${encodeURIComponent(orderId)}/settle`, { actor, ...input });
  }

  /** Alerts (engine alert centre): by state and severity; `accountIds`: only those accounts' alerts (none of no account). */
  alerts(query: { state?: AlertStateFilter; severity?: AlertSeverity; accountIds?: readonly string[]; limit?: number } = {}) {
    const params = new URLSearchParams();
    if (query.state) params.set("state", query.state);
    if (query.severity) params.set("severity", query.severity);
    if (query.limit) params.set("limit", String(query.limit));
    for (const accountId of query.accountIds ?? []) params.append("accountId", accountId);
    const qs = params.toString();
    return this.call<AlertListView>("GET", `/v1/alerts${qs ? `?${qs}` : ""}`);
  }

  /** Acknowledged by the actor now, with an optional note (journaled). */
  acknowledgeAlert(alertId: string, note: string, actor: string) {
    return this.call<{ alert: AlertView }>("POST", `/v1/alerts/${encodeURIComponent(alertId)}/acknowledge`, { actor, note });
  }

  /** Resolved by the actor now, with a note saying why (journaled). */
  resolveAlert(alertId: string, note: string, actor: string) {
    return this.call<{ alert: AlertView }>("POST", `/v1/alerts/${encodeURIComponent(alertId)}/resolve`, { actor, note });
  }

  /** Verifies the journal's hash chain with the engine's key and signed checkpoints (GET /v1/audit/verify). */
  auditVerify() {
    return this.call<AuditVerifyView>("GET", "/v1/audit/verify");
  }

  /** Every FIX message in and out for an order and its child orders, oldest first (GET /v1/orders/:id/fix-messages). */
  orderFixMessages(orderId: string) {
    return this.call<{ orderId: string; messages: FixMessageView[]; truncated: boolean }>(
      "GET",
      `/v1/orders/${encodeURIComponent(orderId)}/fix-messages`,
    );
  }

  /** Every order and position as of a past moment, rebuilt from the journal (GET /v1/audit/as-of). */
  bookAsOf(at: {
    ts?: string;
    seq?: number;
    offset?: number;
    limit?: number;
    accountIds?: readonly string[];
    symbol?: string;
    statuses?: readonly string[];
  }) {
    const params = new URLSearchParams();
    if (at.ts !== undefined) params.set("ts", at.ts);
    if (at.seq !== undefined) params.set("seq", String(at.seq));
    if (at.offset !== undefined) params.set("offset", String(at.offset));
    if (at.limit !== undefined) params.set("limit", String(at.limit));
    for (const a of at.accountIds ?? []) params.append("accountId", a);
    if (at.symbol !== undefined) params.set("symbol", at.symbol);
    for (const s of at.statuses ?? []) params.append("status", s);
    return this.call<BookAsOfView>("GET", `/v1/audit/as-of?${params}`);
  }

  /** Journals an administrative action (POST /v1/audit/events): an export, an API key, a sign-in, a role change. */
  journalAdminEvent(event: { type: string; actor: string; accountId?: string | null; data: Record<string, unknown> }) {
    return this.call<{ seq: number; ts: string; type: string }>("POST", "/v1/audit/events", event);
  }

  /** Corporate actions, newest first (GET /v1/corporate-actions). */
  corporateActions() {
    return this.call<{ actions: CorporateActionView[] }>("GET", "/v1/corporate-actions");
  }

  /** Schedules a split, reverse split, cash dividend or symbol change (applied at once when due today). */
  scheduleCorporateAction(input: CorporateActionInput, actor: string) {
    return this.call<{ action: CorporateActionView }>("POST", "/v1/corporate-actions", { actor, ...input });
  }

  /** Reverses an applied action by a compensating one, or drops one still scheduled. */
  reverseCorporateAction(id: string, reason: string, actor: string) {
    return this.call<{ action: CorporateActionView }>("POST", `/v1/corporate-actions/${encodeURIComponent(id)}/reverse`, {
      actor,
      reason,
    });
  }

  /** One order's execution metrics, computed by the engine from its journal (404: no such order). */
  orderMetrics(orderId: string) {
    return this.call<{ metrics: ExecutionMetricsView }>("GET", `/v1/orders/${encodeURIComponent(orderId)}/metrics`);
  }

  /** Execution quality aggregated by venue; `accountIds`: only those accounts' orders. */
  qualitySummary(query: { venue?: string; symbol?: string; from?: string; to?: string; accountIds?: readonly string[] } = {}) {
    const params = new URLSearchParams();
    for (const k of ["venue", "symbol", "from", "to"] as const) {
      const v = query[k];
      if (v) params.set(k, v);
    }
    if (query.accountIds) params.set("accounts", query.accountIds.join(","));
    return this.call<QualitySummaryView>("GET", `/v1/quality/summary?${params}`);
  }

  snapshot() {
    // Not gated: the live mirror's resync must not be refused because traders are busy.
    return this.request<{ seq: number; orders: Order[] }>("GET", "/v1/snapshot");
  }

  reference() {
    return this.call<ReferenceView>("GET", "/v1/reference");
  }

  streamUrl(after: number): string {
    return `${this.baseUrl}/v1/stream?after=${after}`;
  }

  /** Venues (with state), instruments and accounts as administered (GET /v1/admin/reference). */
  adminReference() {
    return this.call<AdminReferenceView>("GET", "/v1/admin/reference");
  }

  /** Adds or changes a venue at runtime (POST /v1/admin/venues); `reason` is journaled with the actor. */
  upsertVenue(input: { venue: unknown; reason: string }, actor: string) {
    return this.call<{ venue: AdminVenueView }>("POST", "/v1/admin/venues", { actor, ...input });
  }

  /** Enables a venue, or disables it: it drains (no new orders; cancels still work). */
  setVenueEnabled(input: { id: string; enabled: boolean; reason: string }, actor: string) {
    return this.call<{ venue: AdminVenueView }>("POST", `/v1/admin/venues/${encodeURIComponent(input.id)}/enabled`, {
      actor,
      enabled: input.enabled,
      reason: input.reason,
    });
  }

  /** A connection test of a venue as entered: FIX logon, heartbeat, logout; OsEngine's status tool. */
  testVenue(input: { venue: unknown }, actor: string) {
    return this.call<ConnectionTestView>("POST", "/v1/admin/venues/test", { actor, ...input });
  }

  upsertInstrument(input: { instrument: unknown; reason: string }, actor: string) {
    return this.call<{ instrument: AdminInstrumentView }>("POST", "/v1/admin/instruments", { actor, ...input });
  }

  upsertAccount(input: { account: unknown; reason: string }, actor: string) {
    return this.call<{ account: { id: string; name: string } }>("POST", "/v1/admin/accounts", { actor, ...input });
  }

  get authHeader(): string {
    return `Bearer ${this.token}`;
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.gated(() => this.request<T>(method, path, body));
  }

  /** An order command: over the order channel when it is open, else `POST path` (the same body, with `orderId` on the channel). */
  private command<T>(op: ChannelOp, path: string, body: Record<string, unknown>, orderId?: string): Promise<T> {
    const channel = this.channel?.ready() ? this.channel : null;
    if (!channel) return this.call<T>("POST", path, body);
    return this.gated(() =>
      channel.call(op, orderId === undefined ? body : { ...body, orderId }).then(
        (answer: ChannelAnswer) => settle<T>(answer.status, answer.json),
        (error: unknown) => {
          if (error instanceof ChannelLostError) throw new EngineError(503, "ENGINE_UNAVAILABLE", `engine answer lost: ${error.message}`);
          throw error;
        },
      ),
    );
  }

  private gated<T>(run: () => Promise<T>): Promise<T> {
    if (!this.gate) return run();
    return this.gate.run(run).catch((error: unknown) => {
      if (error instanceof OverloadedError) throw new EngineError(503, "OVERLOADED", error.message);
      throw error;
    });
  }

  private request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const request = http.request(
        `${this.baseUrl}${path}`,
        {
          method,
          // The retry takes a connection of its own: the pool's other idle connections went idle together
          // with the one just closed, and the engine is closing them too.
          agent: retried ? false : this.agent,
          headers: {
            authorization: this.authHeader,
            ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", (error) => reject(new EngineError(503, "ENGINE_UNAVAILABLE", `engine answer lost: ${String(error)}`)));
          response.on("end", () => {
            let json: unknown;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              return reject(new EngineError(502, "ENGINE_ERROR", `engine answered HTTP ${response.statusCode ?? 500} without JSON`));
            }
            try {
              resolve(settle<T>(response.statusCode ?? 500, json, response.statusMessage));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", (error) => {
        // A kept-alive connection the engine closed as idle just as this request went out on it: the
        // engine read nothing, so the request goes again, once, on a new (unpooled) connection.
        if (!retried && !answered && request.reusedSocket && closedUnderUs(error)) {
          resolve(this.request<T>(method, path, body, true));
          return;
        }
        reject(new EngineError(503, "ENGINE_UNAVAILABLE", `engine is not reachable: ${String(error)}`));
      });
      request.end(payload);
    });
  }
}

/** An engine answer: its JSON, or the EngineError its status and `error` say. */
function settle<T>(status: number, json: unknown, statusMessage?: string): T {
  if (status < 400) return json as T;
  const e = (json as { error?: { code: string; message: string; details?: unknown } } | null)?.error ?? {
    code: "ENGINE_ERROR",
    message: statusMessage ?? `HTTP ${status}`,
  };
  throw new EngineError(status, e.code, e.message, e.details);
}

/** The errors of a connection closed by the other end before it answered (ECONNRESET, EPIPE, "socket hang up"). */
function closedUnderUs(error: Error & { code?: string }): boolean {
  return error.code === "ECONNRESET" || error.code === "EPIPE";
}
