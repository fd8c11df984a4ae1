import type http from "node:http";
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { Counter, Gauge, type Registry } from "prom-client";
import { z } from "zod";
import type { Logger } from "../log";
import { CommandError } from "../orders/errors";
import type { OrderManager } from "../orders/order-manager";
import { type Admission, admission } from "./backpressure";
import { authorized } from "./input";
import { type OrderCommand, runOrderCommand } from "./order-commands";
import { tickWrites } from "./tick-writes";

/**
 * The console's order channel: one long-lived connection that carries submit, cancel and modify
 * with their answers, instead of an HTTP request each. On the REST door at 500/s the engine spent
 * about a fifth of its main thread parsing and answering HTTP; here many orders share one read and
 * each commit's answers leave in one write.
 *
 * Wire (loopback, the service token as for every other call):
 * - `GET /v1/orders/channel` with `Connection: Upgrade`, `Upgrade: fillmore-orders` and
 *   `Authorization: Bearer <token>`; the engine answers `101 Switching Protocols` (or 401/404 and closes);
 * - then newline-delimited JSON both ways. A request `{"id":7,"op":"submit","body":{…}}` (`op`:
 *   submit, cancel or modify; `body` as the request body of `POST /v1/orders`,
 *   `/v1/orders/:id/cancel`, `/v1/orders/:id/modify`, with `orderId` in the body for the last two);
 * - its answer `{"id":7,"status":201,"body":{…}}`: the same status and JSON as over HTTP, errors included
 *   (`{"error":{"code","message","details"}}`), answered when the journal has committed, in any order.
 * A line that is not a request is answered with status 400 and the id it had (null if none); the
 * channel stays open. A line longer than 64 KiB closes it. Admission (backpressure.ts) counts each
 * request as it counts an HTTP one.
 */
export const ORDER_CHANNEL_PATH = "/v1/orders/channel";
export const ORDER_CHANNEL_PROTOCOL = "fillmore-orders";
const MAX_LINE_BYTES = 64 * 1024;

const frame = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  op: z.enum(["submit", "cancel", "modify"]),
  body: z.unknown(),
});

export interface OrderChannelDeps {
  token: string;
  orders: OrderManager;
  log: Logger;
  admission?: Admission;
  /** Where `fillmore_order_channels` (open now) and `fillmore_order_channel_requests_total` are kept. */
  registry?: Registry;
}

/** Serves the channel on `server`'s upgrades; `close()` ends every open channel (their unanswered requests are lost to the caller, as with HTTP). */
export function attachOrderChannel(server: http.Server, deps: OrderChannelDeps): { close(): void; open(): number } {
  const sockets = new Set<Duplex>();
  const requests = new Counter({
    name: "fillmore_order_channel_requests_total",
    help: "Requests received on order channels",
    registers: [],
  });
  const open = new Gauge({
    name: "fillmore_order_channels",
    help: "Order channels open now (one per console process)",
    registers: [],
    collect() {
      this.set(sockets.size);
    },
  });
  deps.registry?.registerMetric(requests);
  deps.registry?.registerMetric(open);
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "").split("?")[0];
    if (path !== ORDER_CHANNEL_PATH || req.headers.upgrade?.toLowerCase() !== ORDER_CHANNEL_PROTOCOL)
      return refuse(socket, 404, "Not Found", `no upgrade to ${req.headers.upgrade ?? "(none)"} at ${path}`);
    if (!authorized(req, deps.token)) return refuse(socket, 401, "Unauthorized", "missing or wrong service token");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${ORDER_CHANNEL_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serve(socket, head, deps, () => requests.inc());
  });
  return {
    open: () => sockets.size,
    close: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: { code: status === 401 ? "UNAUTHORIZED" : "NOT_FOUND", message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function serve(socket: Duplex, head: Buffer, deps: OrderChannelDeps, counted: () => void): void {
  const gate = deps.admission ?? admission();
  (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  const writer = tickWrites(socket); // answers settled in one tick (one commit's) leave in one write
  const send = (id: number | null, status: number, body: unknown) => {
    if (socket.destroyed) return;
    writer.write(`{"id":${id},"status":${status},"body":${JSON.stringify(body)}}\n`);
  };
  const refusal = (error: unknown): { status: number; body: unknown } => {
    if (error instanceof CommandError)
      return { status: error.httpStatus, body: { error: { code: error.code, message: error.message, details: error.details } } };
    deps.log.error({ err: error }, "order channel: internal error");
    return { status: 500, body: { error: { code: "INTERNAL", message: "internal engine error" } } };
  };
  const run = (line: string) => {
    let request: { id: number; op: OrderCommand; body: unknown };
    try {
      const parsed = frame.safeParse(JSON.parse(line));
      if (!parsed.success) {
        const id = (JSON.parse(line) as { id?: unknown } | null)?.id;
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ");
        return send(
          typeof id === "number" && Number.isSafeInteger(id) ? id : null,
          400,
          invalid(`not an order channel request: ${issues}`),
        );
      }
      request = parsed.data;
    } catch {
      return send(null, 400, invalid("an order channel line must be one JSON object"));
    }
    counted();
    const overloaded = gate.enter(request.op !== "cancel");
    if (overloaded) return send(request.id, 503, overloaded.body);
    runOrderCommand(deps.orders, request.op, request.body)
      .then(
        (answer) => send(request.id, answer.status, answer.body),
        (error: unknown) => {
          const { status, body } = refusal(error);
          send(request.id, status, body);
        },
      )
      .finally(() => gate.leave());
  };
  let partial = "";
  const decoder = new StringDecoder("utf8"); // a character split between two reads is kept whole
  const onData = (chunk: Buffer) => {
    const text = partial + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      if (end > start) run(text.slice(start, end));
      start = end + 1;
    }
    partial = text.slice(start);
    if (Buffer.byteLength(partial) > MAX_LINE_BYTES) {
      send(null, 400, invalid(`a line exceeds ${MAX_LINE_BYTES} bytes; the channel closes`));
      writer.end();
      socket.off("data", onData);
    }
  };
  socket.on("data", onData);
  if (head.length > 0) onData(head);
}

function invalid(message: string) {
  return { error: { code: "INVALID_INPUT", message } };
}
