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

/**
 * Runbook "Halt from the console", scoped: the scope, a reason, the actions (halt and cancel by
 * default), Preview impact, then Halt <scope>. Returns the orders the trip cancelled.
 */
export async function haltScopeFromConsole(page: Page, scope: string, reason: string): Promise<number> {
  const form = page.getByRole("region", { name: "Scoped halt" });
  await form.getByLabel("Scope", { exact: true }).fill(scope);
  await form.getByLabel("Scoped halt reason").fill(reason);
  await form.getByRole("button", { name: "Preview impact" }).click();
  await expect(form.getByTestId("controls-scope-preview")).toHaveText(
    new RegExp(`^${escapeRe(scope)}: \\d+ open orders \\(notional [\\d.]+\\), \\d+ positions`),
    { timeout: 15_000 },
  );
  await form.getByRole("button", { name: `Halt ${scope}`, exact: true }).click();
  const message = page.getByTestId("controls-message");
  await expect(message).toHaveText(new RegExp(`^${escapeRe(scope)} halted: \\d+ orders cancelled, 0 positions flattened$`), {
    timeout: 20_000,
  });
  return Number(/: (\d+) orders cancelled/.exec((await message.textContent()) ?? "")?.[1]);
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
