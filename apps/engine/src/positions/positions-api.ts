import type http from "node:http";
import type { PositionsResponse } from "@fillmore/shared";
import { CommandError } from "../orders/errors";
import type { PnlMethod } from "./book";
import type { LivePositions, PositionsFilter } from "./live-positions";
import type { Positions } from "./positions";

/** `accountId` repeated or comma-separated; undefined when absent (every account). */
function accountsOf(url: URL): string[] | undefined {
  const all = url.searchParams
    .getAll("accountId")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return url.searchParams.has("accountId") ? all : undefined;
}

/** undefined when absent; "" (present, empty) = the books without a strategy (null). */
function strategyOf(url: URL): string | null | undefined {
  if (!url.searchParams.has("strategy")) return undefined;
  const s = url.searchParams.get("strategy") ?? "";
  return s === "" ? null : s;
}

function methodOf(url: URL): PnlMethod | undefined {
  const m = url.searchParams.get("method");
  if (m === null || m === "") return undefined;
  if (m !== "avgCost" && m !== "fifo") throw new CommandError("INVALID_INPUT", `method must be avgCost or fifo, not ${JSON.stringify(m)}`);
  return m;
}

/** GET /v1/positions: the snapshot (rows + roll-ups) and the old quantity list (Risk page). */
export function positionsSnapshot(
  live: LivePositions | undefined,
  positions: Positions,
  url: URL,
): PositionsResponse | { positions: unknown[] } {
  const accountIds = accountsOf(url);
  const legacy = positions.all().filter((p) => !accountIds || accountIds.includes(p.accountId));
  if (!live) return { positions: legacy };
  const filter: PositionsFilter = { accountIds, strategy: strategyOf(url), method: methodOf(url) };
  return { ...live.snapshot(filter), positions: legacy };
}

/** GET /v1/positions/fills?accountId=&symbol=&strategy= */
export function positionFills(live: LivePositions, url: URL) {
  const accountId = url.searchParams.get("accountId") ?? "";
  const symbol = url.searchParams.get("symbol") ?? "";
  if (!accountId || !symbol) throw new CommandError("INVALID_INPUT", "accountId and symbol are required");
  return { fills: live.fills({ accountId, symbol, strategy: strategyOf(url) ?? null }) };
}

/** GET /v1/positions/pnl-series?accountId= (absent: firm-wide) */
export function pnlSeries(live: LivePositions, url: URL) {
  const accountId = url.searchParams.get("accountId") || null;
  return live.pnlSeries(accountId);
}

/**
 * GET /v1/positions/stream: server-sent events, one `data:` line per PositionChanged; `?accountId=`
 * confines it like the snapshot. No resume: a client takes a snapshot after (re)connecting.
 */
export function positionsStream(live: LivePositions, url: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const accountIds = accountsOf(url);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.socket?.setNoDelay(true);
  res.write(`: positions seq ${live.seq}\n\n`);
  const unsubscribe = live.subscribe((change) => {
    if (accountIds && !accountIds.includes(change.row.accountId)) return;
    res.write(`data: ${JSON.stringify(change)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), 5000);
  req.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
