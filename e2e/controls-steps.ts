import { type APIRequestContext, type Browser, expect, type Locator, type Page } from "@playwright/test";
import { type Role, storageStateFor, trpcGet } from "./helpers";

// Steps of docs/OPERATIONS.md "Emergency procedures" that the controls specs share: a scoped halt
// and a reset from the Controls page, the checks of "Verify the halt took", and a safety reset.

export interface ControlsState {
  states: { scope: string; state: string; setBy: string; reason: string }[];
  history: { type: string; scope: string; actor: string; reason: string | null }[];
}

export interface PlacedOrder {
  orderId: string;
  clOrdId: string;
  ordStatus: string;
  rejectReason?: string | null;
  rejectSource?: string | null;
}

/** A page signed in as `role` (the setup project's saved session), in a context of its own. */
export async function openAs(browser: Browser, role: Role): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateFor(role) });
  return context.newPage();
}

/** A table row whose cells include one reading exactly `text`. */
export const rowWithCell = (table: Locator, text: string): Locator =>
  table.locator("tbody tr").filter({ has: table.page().getByRole("cell", { name: text, exact: true }) });

/** A tRPC mutation over a session; returns the HTTP status and the parsed answer. */
export async function trpcPost<T>(
  request: APIRequestContext,
  procedure: string,
  input: unknown,
): Promise<{ status: number; data: T; text: string }> {
  const response = await request.post(`/api/trpc/${procedure}`, { data: input });
  const text = await response.text();
  const json = JSON.parse(text) as { result?: { data: T } };
  return { status: response.status(), data: json.result?.data as T, text };
}

/** Submits an order through the API (the ticket has no strategy field); fails the test unless the answer is 200. */
export async function submitApi(request: APIRequestContext, order: Record<string, unknown>): Promise<PlacedOrder> {
  const { status, data, text } = await trpcPost<{ order: PlacedOrder }>(request, "orders.submit", { timeInForce: "DAY", ...order });
  expect(status, text).toBe(200);
  return data.order;
}

/** Opens the Controls page and waits until the console has confirmed the engine's state. */
export async function openControls(page: Page, role: Role): Promise<void> {
  await page.goto("/controls");
  await expect(page.locator("header .role")).toHaveText(role, { timeout: 15_000 });
  await expect(page.getByTestId("controls-states").or(page.getByTestId("controls-all-active"))).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("controls-unconfirmed")).toHaveCount(0);
}

/** What a scoped trip from the console answered: orders cancelled, positions flattened. */
export interface TripOutcome {
  cancelled: number;
  flattened: number;
}

/**
 * Runbook "Halt from the console", scoped: the scope, a reason, the actions (halt and cancel by
 * default; with `closeAllPositions` the positions in scope are flattened too), Preview impact, then
 * Halt <scope>. The page must answer with no position left NOT flat. Returns what the trip did.
 */
export async function tripScopeFromConsole(
  page: Page,
  scope: string,
  reason: string,
  options: { closeAllPositions?: boolean } = {},
): Promise<TripOutcome> {
  const form = page.getByRole("region", { name: "Scoped halt" });
  await form.getByLabel("Scope", { exact: true }).fill(scope);
  await form.getByLabel("Scoped halt reason").fill(reason);
  await form.getByRole("checkbox", { name: "closeAllPositions" }).setChecked(options.closeAllPositions === true);
  await form.getByRole("button", { name: "Preview impact" }).click();
  await expect(form.getByTestId("controls-scope-preview")).toHaveText(
    new RegExp(`^${escapeRe(scope)}: \\d+ open orders \\(notional [\\d.]+\\), \\d+ positions`),
    { timeout: 15_000 },
  );
  await form.getByRole("button", { name: `Halt ${scope}`, exact: true }).click();
  const message = page.getByTestId("controls-message");
  // Flattening waits for each position's market orders to fill: longer than a plain halt.
  await expect(message).toHaveText(new RegExp(`^${escapeRe(scope)} halted: \\d+ orders cancelled, \\d+ positions flattened$`), {
    timeout: 30_000,
  });
  const [, cancelled, flattened] = /: (\d+) orders cancelled, (\d+) positions/.exec((await message.textContent()) ?? "") ?? [];
  return { cancelled: Number(cancelled), flattened: Number(flattened) };
}

/** Runbook "Halt from the console", scoped, with haltNewOrders and cancelOpenOrders only. Returns the orders the trip cancelled. */
export async function haltScopeFromConsole(page: Page, scope: string, reason: string): Promise<number> {
  const { cancelled, flattened } = await tripScopeFromConsole(page, scope, reason);
  expect(flattened, "a halt without closeAllPositions flattens nothing").toBe(0);
  return cancelled;
}

/** Runbook "Verify the halt took", step 1: the scope's row reads HALTED with who set it and why. */
export async function expectHalted(page: Page, scope: string, setBy: string | RegExp, reason: string | RegExp): Promise<void> {
  const states = page.getByRole("region", { name: "Trading state per scope" }).getByTestId("controls-states");
  const row = rowWithCell(states, scope);
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  const cells = row.getByRole("cell");
  await expect(cells.nth(1)).toHaveText(/^HALTED/);
  await expect(cells.nth(2)).toHaveText(setBy);
  await expect(cells.nth(4)).toHaveText(reason);
}

/** Runbook "Reset safely" from the console: the reason, Reset <scope>; then the scope is gone from the states. */
export async function resetFromConsole(page: Page, scope: string, reason: string): Promise<void> {
  const region = page.getByRole("region", { name: "Trading state per scope" });
  await region.getByLabel("Reset reason").fill(reason);
  await region.getByRole("button", { name: `Reset ${scope}`, exact: true }).click();
  await expect(page.getByTestId("controls-message")).toHaveText(`Reset ${scope}`, { timeout: 15_000 });
  await expect(rowWithCell(region.getByTestId("controls-states"), scope)).toHaveCount(0, { timeout: 15_000 });
}

/** The most recent history row of `type` for `scope`. */
export function historyRow(page: Page, type: string, scope: string): Locator {
  const history = page.getByRole("region", { name: "History" }).getByTestId("controls-history");
  return rowWithCell(history, scope)
    .filter({ has: page.getByRole("cell", { name: type, exact: true }) })
    .first();
}

/** Resets, through the API as risk, every scope a failed run left halted: `marker` in its reason, or one of `scopes`. */
export async function resetLeftovers(request: APIRequestContext, marker: string, scopes: string[] = []): Promise<void> {
  const state = await trpcGet<ControlsState>(request, "controls.state");
  for (const s of state.states.filter((x) => x.reason.includes(marker) || scopes.includes(x.scope))) {
    const { status, text } = await trpcPost(request, "controls.reset", { scope: s.scope, reason: `e2e safety reset (${marker})` });
    expect(status, text).toBe(200);
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** An account's position in a symbol as the console reports it (the sum over its strategies). */
export async function positionQty(request: APIRequestContext, accountId: string, symbol: string): Promise<number> {
  const snapshot = await trpcGet<{ rows: { symbol: string; qty: string }[] }>(request, "positions.snapshot", { accountIds: [accountId] });
  return snapshot.rows.filter((r) => r.symbol === symbol).reduce((sum, r) => sum + Number(r.qty), 0);
}

/** Waits until the engine reports the order done (Filled, Rejected, Cancelled, Expired); returns that status. */
export async function waitOrderDone(request: APIRequestContext, orderId: string): Promise<string> {
  const status = async () => (await trpcGet<{ order: { ordStatus: string } }>(request, "orders.get", { orderId })).order.ordStatus;
  await expect.poll(status, { timeout: 15_000 }).toMatch(/^(Filled|Rejected|Cancelled|Expired)$/);
  return status();
}

/**
 * Gives the account a position at least `qty` away from flat: a market order (with `strategy`) on the
 * side the position already leans, waited on until Filled (sent again if a simulated venue rejects it,
 * as they do now and then). Returns the position the console then reports.
 */
export async function buildPosition(
  request: APIRequestContext,
  order: { accountId: string; symbol: string; qty: number; strategy: string; clOrdId: string },
): Promise<number> {
  const before = await positionQty(request, order.accountId, order.symbol);
  let status = "";
  for (let attempt = 1; attempt <= 3 && status !== "Filled"; attempt++) {
    const placed = await submitApi(request, {
      clOrdId: `${order.clOrdId}-${attempt}`,
      accountId: order.accountId,
      symbol: order.symbol,
      side: before < 0 ? "Sell" : "Buy",
      ordType: "Market",
      orderQty: String(order.qty),
      strategy: order.strategy,
    });
    expect(placed.rejectSource, placed.rejectReason ?? "risk accepts the order that builds the position").not.toBe("RISK");
    status = placed.ordStatus === "Rejected" ? "Rejected" : await waitOrderDone(request, placed.orderId);
  }
  expect(status, "the market order that builds the position").toBe("Filled");
  // The console's positions catch up with the fill within a moment (the demo may trade the pair too).
  await expect
    .poll(async () => Math.abs(await positionQty(request, order.accountId, order.symbol)), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(order.qty - 10);
  return positionQty(request, order.accountId, order.symbol);
}

/**
 * Makes the page's engine-state call (`controls.state`) fail the way it does when the engine is out of
 * reach, leaving every other call in the same tRPC batch as the server answered it. Returns a function
 * that lets the calls through again.
 */
export async function failEngineState(page: Page, message: string): Promise<() => Promise<void>> {
  const pattern = /\/api\/trpc\/[^?]*controls\.state/;
  await page.route(pattern, async (route) => {
    const procedures = decodeURIComponent(new URL(route.request().url()).pathname.slice("/api/trpc/".length)).split(",");
    const failed = {
      error: { message, code: -32603, data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 503, path: "controls.state" } },
    };
    if (procedures.length === 1) {
      await route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(failed) });
      return;
    }
    const response = await route.fetch();
    const answers = (await response.json()) as unknown[];
    const body = answers.map((answer, i) => (procedures[i] === "controls.state" ? failed : answer));
    await route.fulfill({ status: 207, contentType: "application/json", body: JSON.stringify(body) });
  });
  return () => page.unroute(pattern);
}
