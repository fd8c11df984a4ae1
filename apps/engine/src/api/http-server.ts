import http from "node:http";
import { cancelAllInput, EVENT_TYPES, type EventType, setRiskLimitsInput, setTradingStateInput } from "@fillmore/shared";
import type pg from "pg";
import type { Registry } from "prom-client";
import { z } from "zod";
import type { AlertCentre } from "../alerts/alert-centre";
import { alertsApi } from "../alerts/api";
import { journalAdminEvent } from "../audit/admin-events";
import { parseAsOfQuery } from "../audit/as-of";
import { auditThreadOf } from "../audit/audit-thread";
import type { AuditVerifyView } from "../audit/verify-view";
import { breakerRoutes } from "../controls/breakers/api";
import type { Breakers } from "../controls/breakers/breakers";
import type { Deadman } from "../controls/deadman";
import type { KillSwitch } from "../controls/kill-switch";
import { readOrderEvents } from "../journal/read";
import type { Logger } from "../log";
import { CommandError } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import type { CorporateActions } from "../positions/corporate-actions";
import type { LivePositions } from "../positions/live-positions";
import type { Positions } from "../positions/positions";
import { pnlSeries, positionFills, positionsSnapshot, positionsStream } from "../positions/positions-api";
import { reconciliationApi } from "../positions/reconciliation/api";
import type { Reconciliation } from "../positions/reconciliation/reconciliation";
import { orderMetrics, qualitySummary, summaryQuery } from "../quality/api";
import type { ReferenceService } from "../reference/service";
import type { RiskSettings } from "../risk/risk-settings";
import { corporateActionsApi } from "../wiring/corporate-actions";
import { adminRoutes } from "./admin-routes";
import { admit } from "./backpressure";
import type { EventHub, StreamItem } from "./event-hub";
import { type FixStore, orderFixMessages } from "./fix-messages";
import { authorized, parse } from "./input";
import { actorSchema, type CommandAnswer, runOrderCommand } from "./order-commands";
import { tickWrites } from "./tick-writes";

export interface ApiDeps {
  token: string;
  orders: OrderManager;
  risk: RiskSettings;
  positions: Positions;
  /** Positions and P&L (see packages/shared/src/positions.ts for the endpoints' shapes). */
  livePositions?: LivePositions;
  reconciliation?: Reconciliation;
  venues: () => unknown[];
  /** Outage injection for simulated venues; throws for venues that cannot be switched off. */
  setOutage: (venueId: string, down: boolean, actor: string) => void;
  hub: EventHub;
  pool: pg.Pool;
  registry: Registry;
  log: Logger;
  reference: () => unknown;
  health: () => { status: "ok" | "degraded"; [key: string]: unknown };
  /** The kill switch (controls/kill-switch.ts); /v1/controls/* answer 503 without it. */
  controls?: KillSwitch;
  /** Circuit breakers and dead-man's switches (controls/breakers, controls/deadman.ts); 503 without them. */
  breakers?: Breakers;
  deadman?: Deadman;
  /** The alert centre (alerts/alert-centre.ts); /v1/alerts* answer 503 without it. */
  alerts?: AlertCentre;
  /** Corporate actions (positions/corporate-actions.ts); /v1/corporate-actions* answer 503 without them. */
  corporateActions?: CorporateActions;
  /** GET /v1/audit/verify: the chain check with the engine's key; default: verifyWithFiles. */
  verifyJournal?: () => Promise<AuditVerifyView>;
  /** Reference data administered at runtime (reference/service.ts); /v1/admin/* answer 503 without it. */
  referenceAdmin?: ReferenceService;
  /** The session stores of the FIX venues running now (GET /v1/orders/:id/fix-messages); none without it. */
  fixStores?: () => FixStore[];
}

export type { AuditVerifyView } from "../audit/verify-view";

const MAX_BODY_BYTES = 64 * 1024;
const cancelAllBody = z.object({ actor: actorSchema }).and(cancelAllInput);
const riskLimitsBody = z.object({ actor: actorSchema }).and(setRiskLimitsInput);
const outageBody = z.object({ actor: actorSchema, down: z.boolean() }).strict();
const tradingStateBody = z.object({ actor: actorSchema }).and(setTradingStateInput);

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function answer(res: http.ServerResponse, result: CommandAnswer): void {
  send(res, result.status, result.body);
}

function sendError(res: http.ServerResponse, error: CommandError): void {
  send(res, error.httpStatus, { error: { code: error.code, message: error.message, details: error.details } });
}

/** The request's JSON body (at most MAX_BODY_BYTES); read by listeners, not `for await`, which costs a promise per chunk. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off("data", onData);
      req.resume(); // drain the rest, so the error answer is still read
      reject(new CommandError("INVALID_INPUT", `request body exceeds ${MAX_BODY_BYTES} bytes`));
    };
    req.on("data", onData);
    req.on("error", reject);
    req.on("end", () => {
      try {
        resolve(JSON.parse((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8")));
      } catch {
        reject(new CommandError("INVALID_INPUT", "request body is not valid JSON"));
      }
    });
  });
}

async function readObject(req: http.IncomingMessage): Promise<object> {
  const body = await readJson(req);
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new CommandError("INVALID_INPUT", "request body must be a JSON object");
  return body;
}

/** The engine's internal API, for the gateway only: loopback, service token, JSON and an SSE event stream. */
export function createApiServer(deps: ApiDeps): http.Server {
  return http.createServer((req, res) => {
    if (!admit(req, res)) return; // backpressure: 503 OVERLOADED at once past the limit (backpressure.ts)
    handle(deps, req, res).catch((error: unknown) => {
      if (error instanceof CommandError) return sendError(res, error);
      deps.log.error({ err: error, url: req.url }, "internal API error");
      if (!res.headersSent) send(res, 500, { error: { code: "INTERNAL", message: "internal engine error" } });
    });
  });
}

type Handler = (ctx: {
  deps: ApiDeps;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: string[];
}) => Promise<void> | void;

const routes: [method: string, pattern: RegExp, handler: Handler][] = [
  ["POST", /^\/v1\/orders$/, async ({ deps, req, res }) => answer(res, await runOrderCommand(deps.orders, "submit", await readJson(req)))],
  [
    "POST",
    /^\/v1\/orders\/cancel-all$/,
    async ({ deps, req, res }) => {
      const { actor, ...filter } = parse(cancelAllBody, await readJson(req));
      send(res, 200, await deps.orders.cancelAll(filter, actor));
    },
  ],
  [
    "POST",
    /^\/v1\/orders\/([^/]+)\/cancel$/,
    async ({ deps, req, res, params }) =>
      answer(res, await runOrderCommand(deps.orders, "cancel", { ...(await readObject(req)), orderId: params[0] })),
  ],
  [
    "POST",
    /^\/v1\/orders\/([^/]+)\/modify$/,
    async ({ deps, req, res, params }) =>
      answer(res, await runOrderCommand(deps.orders, "modify", { ...(await readObject(req)), orderId: params[0] })),
  ],
  [
    "GET",
    /^\/v1\/orders\/([^/]+)$/,
    async ({ deps, res, params }) => {
      const orderId = params[0] ?? "";
      const order = deps.orders.get(orderId);
      if (!order) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
      send(res, 200, { order, events: await readOrderEvents(deps.pool, orderId) });
    },
  ],
  [
    "GET",
    /^\/v1\/orders\/([^/]+)\/fix-messages$/,
    async ({ deps, res, params }) => send(res, 200, await orderFixMessages(params[0], deps.orders, deps.fixStores?.() ?? [])),
  ],
  [
    "GET",
    /^\/v1\/orders\/([^/]+)\/metrics$/,
    async ({ deps, res, params }) => {
      const metrics = await orderMetrics(deps.pool, params[0] ?? "");
      if (!metrics) throw new CommandError("NOT_FOUND", `no order ${params[0] ?? ""}`);
      send(res, 200, { metrics });
    },
  ],
  ["GET", /^\/v1\/quality\/summary$/, async ({ deps, res, url }) => send(res, 200, await qualitySummary(deps.pool, summaryQuery(url)))],
  ["GET", /^\/v1\/snapshot$/, ({ deps, res }) => send(res, 200, { seq: deps.hub.lastSeq, orders: deps.orders.all() })],
  ["GET", /^\/v1\/reference$/, ({ deps, res }) => send(res, 200, deps.reference())],
  ["GET", /^\/v1\/positions$/, ({ deps, res, url }) => send(res, 200, positionsSnapshot(deps.livePositions, deps.positions, url))],
  ["GET", /^\/v1\/positions\/fills$/, ({ deps, res, url }) => send(res, 200, positionFills(livePositionsOf(deps), url))],
  ["GET", /^\/v1\/positions\/pnl-series$/, ({ deps, res, url }) => send(res, 200, pnlSeries(livePositionsOf(deps), url))],
  ["GET", /^\/v1\/positions\/stream$/, ({ deps, url, req, res }) => positionsStream(livePositionsOf(deps), url, req, res)],
  ["GET", /^\/v1\/venues$/, ({ deps, res }) => send(res, 200, { venues: deps.venues() })],
  [
    "POST",
    /^\/v1\/venues\/([^/]+)\/outage$/,
    async ({ deps, req, res, params }) => {
      const body = parse(outageBody, await readJson(req));
      deps.setOutage(params[0] ?? "", body.down, body.actor);
      send(res, 200, { venues: deps.venues() });
    },
  ],
  ["GET", /^\/v1\/reconciliation\/breaks$/, ({ deps, res, url }) => send(res, 200, reconciliationApi.list(deps.reconciliation, url))],
  [
    "POST",
    /^\/v1\/reconciliation\/run$/,
    async ({ deps, req, res }) => send(res, 200, await reconciliationApi.run(deps.reconciliation, req)),
  ],
  [
    "POST",
    /^\/v1\/reconciliation\/breaks\/([^/]+)\/resolve$/,
    async ({ deps, req, res, params }) => send(res, 200, await reconciliationApi.resolve(deps.reconciliation, req, params[0] ?? "")),
  ],
  [
    "POST",
    /^\/v1\/reconciliation\/statements$/,
    async ({ deps, req, res }) => send(res, 200, await reconciliationApi.statement(deps.reconciliation, req)),
  ],
  [
    "POST",
    /^\/v1\/orders\/([^/]+)\/settle$/,
    async ({ deps, req, res, params }) => send(res, 200, await reconciliationApi.settle(deps.reconciliation, req, params[0] ?? "")),
  ],
  ["GET", /^\/v1\/risk$/, ({ deps, res }) => send(res, 200, deps.risk.snapshot())],
  [
    "POST",
    /^\/v1\/risk\/limits$/,
    async ({ deps, req, res }) => {
      const { actor, ...input } = parse(riskLimitsBody, await readJson(req));
      await deps.risk.setLimits(input, actor);
      send(res, 200, deps.risk.snapshot());
    },
  ],
  [
    "POST",
    /^\/v1\/risk\/trading-state$/,
    async ({ deps, req, res }) => {
      const { actor, ...input } = parse(tradingStateBody, await readJson(req));
      await deps.risk.setTradingState(input, actor);
      send(res, 200, deps.risk.snapshot());
    },
  ],
  ...controlsRoutes(),
  ...breakerRoutes.map(([method, pattern, handler]): [string, RegExp, Handler] => [
    method,
    pattern,
    async ({ deps, req, res, params }) =>
      send(res, 200, await handler({ body: () => readJson(req), params, breakers: deps.breakers, deadman: deps.deadman })),
  ]),
  ["GET", /^\/v1\/alerts$/, ({ deps, res, url }) => send(res, 200, alertsApi.list(deps.alerts, url))],
  [
    "POST",
    /^\/v1\/alerts\/([^/]+)\/acknowledge$/,
    async ({ deps, req, res, params }) => send(res, 200, await alertsApi.acknowledge(deps.alerts, req, params[0] ?? "")),
  ],
  [
    "POST",
    /^\/v1\/alerts\/([^/]+)\/resolve$/,
    async ({ deps, req, res, params }) => send(res, 200, await alertsApi.resolve(deps.alerts, req, params[0] ?? "")),
  ],
  ["GET", /^\/v1\/corporate-actions$/, ({ deps, res }) => send(res, 200, corporateActionsApi.list(deps.corporateActions))],
  [
    "POST",
    /^\/v1\/corporate-actions$/,
    async ({ deps, req, res }) => send(res, 200, await corporateActionsApi.schedule(deps.corporateActions, req)),
  ],
  [
    "POST",
    /^\/v1\/corporate-actions\/([^/]+)\/reverse$/,
    async ({ deps, req, res, params }) => send(res, 200, await corporateActionsApi.reverse(deps.corporateActions, req, params[0] ?? "")),
  ],
  [
    "POST",
    /^\/v1\/audit\/events$/,
    async ({ deps, req, res }) => send(res, 201, await journalAdminEvent(deps.orders.book.journal, await readJson(req))),
  ],
  // Both replay the whole journal: on the audit worker thread, never on the engine's event loop.
  [
    "GET",
    /^\/v1\/audit\/as-of$/,
    async ({ deps, res, url }) =>
      send(res, 200, await auditThreadOf(deps.pool, deps.log).asOf(parseAsOfQuery(url), deps.livePositions?.config)),
  ],
  [
    "GET",
    /^\/v1\/audit\/verify$/,
    async ({ deps, res }) => send(res, 200, await (deps.verifyJournal?.() ?? auditThreadOf(deps.pool, deps.log).verify())),
  ],
  ["GET", /^\/v1\/stream$/, ({ deps, url, req, res }) => stream(deps, url, req, res)],
  ...adminRoutes.map(([method, pattern, handler]): [string, RegExp, Handler] => [
    method,
    pattern,
    async ({ deps, req, res, params }) =>
      send(res, 200, await handler({ body: () => readJson(req), params, service: deps.referenceAdmin })),
  ]),
];

function livePositionsOf(deps: ApiDeps): LivePositions {
  if (!deps.livePositions) throw new CommandError("NOT_FOUND", "positions are not available in this engine");
  return deps.livePositions;
}

const controlsBody = z.object({ actor: actorSchema }).passthrough();

/** The kill switch: trip, reset, approve a reset, state with history, impact preview (docs/API.md). */
function controlsRoutes(): [method: string, pattern: RegExp, handler: Handler][] {
  const controls = (deps: ApiDeps): KillSwitch => {
    if (!deps.controls) throw new CommandError("ENGINE_UNAVAILABLE", "the kill switch is not wired in this engine");
    return deps.controls;
  };
  const body = async (req: http.IncomingMessage) => {
    const { actor, ...input } = parse(controlsBody, await readJson(req));
    return { actor, input: input as never };
  };
  return [
    [
      "POST",
      /^\/v1\/controls\/trip$/,
      async ({ deps, req, res }) => {
        const { actor, input } = await body(req);
        send(res, 200, await controls(deps).trip(input, actor));
      },
    ],
    [
      "POST",
      /^\/v1\/controls\/reset$/,
      async ({ deps, req, res }) => {
        const { actor, input } = await body(req);
        send(res, 200, await controls(deps).reset(input, actor));
      },
    ],
    [
      "POST",
      /^\/v1\/controls\/approve-reset$/,
      async ({ deps, req, res }) => {
        const { actor, input } = await body(req);
        send(res, 200, await controls(deps).approveReset(input, actor));
      },
    ],
    ["GET", /^\/v1\/controls\/state$/, async ({ deps, res }) => send(res, 200, await controls(deps).state())],
    [
      "GET",
      /^\/v1\/controls\/preview$/,
      ({ deps, url, res }) => send(res, 200, controls(deps).preview(url.searchParams.get("scope") ?? "global")),
    ],
  ];
}

/** A path segment's percent-encoding, decoded; a malformed one (`%E0%A4%A`) is the caller's error: 400, not 500. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new CommandError("INVALID_INPUT", `malformed percent-encoding in the path: ${JSON.stringify(segment.slice(0, 100))}`);
  }
}

function requestUrl(req: http.IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://engine");
  } catch {
    throw new CommandError("INVALID_INPUT", "malformed request URL");
  }
}

async function handle(deps: ApiDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const path = url.pathname;
  if (req.method === "GET" && path === "/health") {
    const health = deps.health();
    return send(res, health.status === "ok" ? 200 : 503, health);
  }
  if (req.method === "GET" && path === "/metrics") {
    res.writeHead(200, { "content-type": deps.registry.contentType });
    res.end(await deps.registry.metrics());
    return;
  }
  if (!authorized(req, deps.token)) throw new CommandError("UNAUTHORIZED", "missing or wrong service token");
  for (const [method, pattern, handler] of routes) {
    const match = req.method === method ? pattern.exec(path) : null;
    if (match) return handler({ deps, req, res, url, params: match.slice(1).map(decodePathSegment) });
  }
  throw new CommandError("NOT_FOUND", `no route ${req.method} ${path}`);
}

/** `?types=OrderAccepted,OrderFilled`: only events of these types (unknown names are refused). */
const streamTypes = z
  .string()
  .transform((list) => list.split(","))
  .pipe(z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])).min(1))
  .transform((types) => new Set<string>(types));

/**
 * Server-sent events, one per committed journal entry, resuming after `?after=seq`; with `?types=`,
 * only entries of those types (ids keep their journal sequence numbers, so a follower that resumes
 * with `after=` still loses nothing it asked for).
 */
function stream(deps: ApiDeps, url: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const typesParam = url.searchParams.get("types");
  const types = typesParam === null ? null : parse(streamTypes, typesParam);
  const after = Number(url.searchParams.get("after") ?? deps.hub.lastSeq);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.socket?.setNoDelay(true);
  // At once, not with the first event: a follower knows it follows (the console's `ready()`).
  res.flushHeaders();
  const backlog = Number.isSafeInteger(after) ? deps.hub.since(after) : null;
  if (backlog === null) {
    res.write(`event: reset\ndata: {"seq":${deps.hub.lastSeq}}\n\n`);
    res.end();
    return;
  }
  const writer = tickWrites(res);
  const write = (item: StreamItem) => {
    if (types === null || types.has(item.event.type)) writer.write(`id: ${item.seq}\ndata: ${item.wire}\n\n`);
  };
  for (const item of backlog) write(item);
  const unsubscribe = deps.hub.subscribe(write);
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), 5000);
  req.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
