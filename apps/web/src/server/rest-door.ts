import type http from "node:http";
import type { Principal } from "./auth";
import { RETRY_AFTER_S } from "./backpressure";
import type { EntryError, EntryOperation, OrderEntry } from "./order-entry";

/**
 * The REST door for programs (docs/API.md, "REST door"): one JSON request, one JSON answer, without
 * tRPC's envelope or batching, on the order-entry path the streaming door uses (order-entry.ts):
 *
 *   POST /api/v1/orders                    body: the order (as orders.submit)
 *   POST /api/v1/orders/:orderId/cancel    no body
 *   POST /api/v1/orders/:orderId/modify    body: the changes (as orders.modify, without orderId)
 *
 * 200 `{ order, duplicate? }`; otherwise the error's HTTP status and `{ error: { code, message, … } }`,
 * with `Retry-After` on 503 OVERLOADED.
 */
export const REST_PREFIX = "/api/v1/";
const MAX_BODY_BYTES = 64 * 1024;
const ORDER_ACTION = /^\/api\/v1\/orders\/([^/?]+)\/(cancel|modify)$/;

interface Route {
  operation: EntryOperation;
  orderId?: string;
}

function routeOf(pathname: string): Route | null {
  if (pathname === "/api/v1/orders") return { operation: "submit" };
  const match = ORDER_ACTION.exec(pathname);
  if (!match) return null;
  let orderId: string;
  try {
    orderId = decodeURIComponent(match[1] ?? "");
  } catch {
    return null;
  }
  return { operation: match[2] === "cancel" ? "cancel" : "modify", orderId };
}

function answer(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function refuse(res: http.ServerResponse, error: EntryError): void {
  const headers: Record<string, string> = error.code === "OVERLOADED" ? { "retry-after": String(RETRY_AFTER_S) } : {};
  answer(res, error.httpStatus, { error }, headers);
}

/** The body as JSON; undefined when empty; a refusal when too large or not JSON. */
function readBody(req: http.IncomingMessage): Promise<{ value: unknown } | { error: EntryError }> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    const tooLarge = (): EntryError => ({ code: "PAYLOAD_TOO_LARGE", message: `body: over ${MAX_BODY_BYTES} bytes`, httpStatus: 413 });
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return resolve({ error: tooLarge() });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("error", () => resolve({ error: { code: "INVALID_INPUT", message: "body: the request was aborted", httpStatus: 400 } }));
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return resolve({ error: tooLarge() });
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({ value: undefined });
      try {
        resolve({ value: JSON.parse(text) as unknown });
      } catch {
        resolve({ error: { code: "INVALID_INPUT", message: "body: not valid JSON", httpStatus: 400 } });
      }
    });
  });
}

export class RestDoor {
  constructor(
    private readonly entry: OrderEntry,
    private readonly principalOf: (headers: http.IncomingHttpHeaders) => Promise<Principal | null>,
  ) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routeOf(pathname);
    if (!route) return refuse(res, { code: "NOT_FOUND", message: `no such endpoint: ${pathname.slice(0, 200)}`, httpStatus: 404 });
    if (req.method !== "POST") {
      req.resume();
      return answer(
        res,
        405,
        { error: { code: "METHOD_NOT_ALLOWED", message: `${pathname} takes POST`, httpStatus: 405 } },
        { allow: "POST" },
      );
    }
    const [body, principal] = await Promise.all([readBody(req), this.principalOf(req.headers).catch(() => null)]);
    if ("error" in body) return refuse(res, body.error);
    const changes = body.value;
    if (route.operation === "modify" && !isObject(changes))
      return refuse(res, { code: "INVALID_INPUT", message: "body: a JSON object of the changes", httpStatus: 400 });
    let payload: unknown = changes;
    if (route.operation === "cancel") payload = { orderId: route.orderId };
    else if (route.operation === "modify" && isObject(changes)) payload = { ...changes, orderId: route.orderId };
    const result = await this.entry.run(route.operation, principal, payload);
    if (!result.ok) return refuse(res, result.error);
    answer(res, 200, result.duplicate === undefined ? { order: result.order } : { order: result.order, duplicate: result.duplicate });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
