// `npm run halt -- --scope global --reason "..."`: the kill switch out of band. Talks to the engine's
// internal API directly with the service token (from .data/secrets.json, as the launcher keeps it),
// so a halt works with the console down. See docs/OPERATIONS.md, "Emergency procedures".
//
//   npm run halt -- --scope global --reason "runaway strategy, halting"          trip (halt + cancel + notify)
//   npm run halt -- --scope account:ACC-ALPHA --actions haltNewOrders,closeAllPositions --reason "..."
//   npm run halt -- --status                                                     every halted scope, who/when/why
//   npm run halt -- --preview --scope global                                     what a trip would touch
//   npm run halt -- --reset --scope global --reason "incident closed, verified"  set it ACTIVE again
//   npm run halt -- --approve --scope global                                     approve another user's reset
//
// Engine address: ENGINE_URL, else http://127.0.0.1:$ENGINE_PORT (4100). Token: ENGINE_SERVICE_TOKEN, else
// <FILLMORE_DATA_DIR or .data>/secrets.json. Actor: --actor, else cli:<os user>. Exit 0 done, 1 refused, 2 unreachable or usage.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const DEFAULT_ACTIONS = "haltNewOrders,cancelOpenOrders,notifyRiskTeam";

const usage = `usage: npm run halt -- [--status | --preview | --reset | --approve] --scope <scope> --reason "<at least 10 characters>"
  scopes: global, account:<id>, strategy:<name>, symbol:<SYM>, venue:<id>, or parts joined by / (account:ACC/symbol:AAPL)
  --actions a,b   haltNewOrders, cancelOpenOrders, closeAllPositions, notifyRiskTeam (default ${DEFAULT_ACTIONS})
  --strict        refuse reducing orders too (allowReducing false)
  --actor name    who is acting (default cli:<os user>)   --json   print the engine's answer as JSON`;

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      scope: { type: "string" },
      reason: { type: "string" },
      actions: { type: "string", default: DEFAULT_ACTIONS },
      actor: { type: "string" },
      reset: { type: "boolean", default: false },
      approve: { type: "boolean", default: false },
      status: { type: "boolean", default: false },
      preview: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  fail(2, `${(error as Error).message}\n${usage}`);
}
const o = args.values;
if (o.help) {
  console.log(usage);
  process.exit(0);
}

const root = path.resolve(import.meta.dirname, "..");
const engineUrl = process.env.ENGINE_URL ?? `http://127.0.0.1:${process.env.ENGINE_PORT ?? 4100}`;
function token(): string {
  if (process.env.ENGINE_SERVICE_TOKEN) return process.env.ENGINE_SERVICE_TOKEN;
  const file = path.join(path.resolve(root, process.env.FILLMORE_DATA_DIR ?? ".data"), "secrets.json");
  if (!existsSync(file)) fail(2, `no service token: set ENGINE_SERVICE_TOKEN or run from the installation (${file} is missing)`);
  return (JSON.parse(readFileSync(file, "utf8")) as { engineToken: string }).engineToken;
}
const actor = o.actor ?? `cli:${os.userInfo().username}`;

// biome-ignore lint/suspicious/noExplicitAny: the engine's JSON answers, printed
async function call(method: string, route: string, body?: unknown): Promise<any> {
  let res: Response;
  try {
    res = await fetch(`${engineUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    fail(
      2,
      `engine unreachable at ${engineUrl}: ${String((error as Error).cause ?? error)}\nsee docs/OPERATIONS.md, "When the engine is unreachable"`,
    );
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) fail(1, `refused (HTTP ${res.status} ${json.error?.code ?? ""}): ${json.error?.message ?? res.statusText}`);
  return json;
}

function needScope(): string {
  if (!o.scope) fail(2, `--scope is required\n${usage}`);
  return o.scope;
}

async function main(): Promise<void> {
  if (o.status) {
    const state = await call("GET", "/v1/controls/state");
    if (o.json) return console.log(JSON.stringify(state, null, 2));
    if (state.states.length === 0) console.log("ACTIVE: no scope is halted or reducing");
    for (const s of state.states)
      console.log(
        `${s.state} ${s.scope} by ${s.setBy} at ${s.setAt}: ${s.reason}${s.state === "HALTED" ? (s.allowReducing ? " (reducing orders pass)" : " (nothing passes)") : ""}`,
      );
    for (const p of state.pendingResets)
      console.log(`reset of ${p.scope} asked by ${p.requestedBy} at ${p.requestedAt}: awaiting a second approval`);
    return;
  }
  const scope = needScope();
  if (o.preview) {
    const preview = await call("GET", `/v1/controls/preview?scope=${encodeURIComponent(scope)}`);
    if (o.json) return console.log(JSON.stringify(preview, null, 2));
    console.log(
      `${preview.scope}: ${preview.totals.openOrders} open orders (notional ${preview.totals.openNotional}), ${preview.totals.positions} positions`,
    );
    for (const a of preview.accounts)
      console.log(
        `  ${a.accountId}: ${a.openOrders} orders, notional ${a.openNotional}; positions ${a.positions.map((p: { symbol: string; qty: string }) => `${p.symbol} ${p.qty}`).join(", ") || "none"}`,
      );
    return;
  }
  if (o.approve) {
    const done = await call("POST", "/v1/controls/approve-reset", { actor, scope, ...(o.reason ? { reason: o.reason } : {}) });
    if (o.json) return console.log(JSON.stringify(done, null, 2));
    return console.log(`ACTIVE ${done.scope}: reset approved by ${actor}`);
  }
  if (!o.reason) fail(2, `--reason is required (at least 10 characters)\n${usage}`);
  if (o.reset) {
    const done = await call("POST", "/v1/controls/reset", { actor, scope, reason: o.reason });
    if (o.json) return console.log(JSON.stringify(done, null, 2));
    return console.log(
      done.pending
        ? `reset of ${done.scope} asked by ${actor}: a second risk user must approve it (npm run halt -- --approve --scope ${done.scope})`
        : `ACTIVE ${done.scope}: reset by ${actor}`,
    );
  }
  const actions = o.actions
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const result = await call("POST", "/v1/controls/trip", {
    actor,
    scope,
    actions,
    reason: o.reason,
    ...(o.strict ? { allowReducing: false } : {}),
  });
  if (o.json) return console.log(JSON.stringify(result, null, 2));
  const out = result.outcome;
  console.log(`HALTED ${result.scope} by ${actor} (trip ${result.tripId}): ${o.reason}`);
  console.log(
    `  orders cancelled: ${out.ordersCancelled}${out.cancelFailures.length ? `, not cancelled: ${out.cancelFailures.length}` : ""}`,
  );
  if (actions.includes("closeAllPositions"))
    console.log(
      `  positions flattened: ${out.positionsFlattened.length}${out.flattenFailures.length ? `, NOT flat: ${out.flattenFailures.map((f: { accountId: string; symbol: string; remaining: string }) => `${f.accountId} ${f.symbol} ${f.remaining}`).join(", ")}` : ""}`,
    );
  if (out.cancelFailures.length || out.flattenFailures.length) process.exitCode = 1;
}

await main();
