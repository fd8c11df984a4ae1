import { type APIRequestContext, type Browser, expect, type Locator, type Page, test } from "@playwright/test";
import {
  fillAndSubmit,
  growingSide,
  limitAround,
  loginFor,
  openBlotter,
  rowByClOrdId,
  screenshotPath,
  storageStateFor,
  submitOrder,
  ticket,
  trpcGet,
  uniqueId,
  waitLive,
} from "./helpers";

// The kill switch, driven the way docs/OPERATIONS.md ("Emergency procedures", "Halt from the console",
// "Verify the halt took", "Reset safely") tells a risk user to: reason, actions, Preview impact, type
// HALT ALL, HALT ALL TRADING; then check the state, the history, the banner and a refused order; then Reset.
// It halts all trading, so it runs in the "exclusive" project (alone, after every other spec; see
// playwright.config.ts), serially, and afterAll resets global whatever happened.
test.describe.configure({ mode: "serial" });

const ACCOUNT = "ACC-ALPHA";
const SYMBOL = "MSFT";
const drill = uniqueId("drill");
const HALT_REASON = `e2e kill switch drill ${drill}: runbook console steps`;
const RESET_REASON = `e2e drill ${drill} over: cause fixed, checked by the spec`;

interface ControlsState {
  states: { scope: string; state: string; setBy: string; reason: string }[];
}

/** Resets global through the API if it is still halted (a failed run must never leave trading halted). */
async function resetGlobalIfHalted(request: APIRequestContext): Promise<void> {
  const state = await trpcGet<ControlsState>(request, "controls.state");
  if (!state.states.some((s) => s.scope === "global")) return;
  const response = await request.post("/api/trpc/controls.reset", {
    data: { scope: "global", reason: `e2e safety reset after the controls spec (${drill})` },
  });
  expect(response.status(), await response.text()).toBe(200);
  const after = await trpcGet<ControlsState>(request, "controls.state");
  expect(after.states.map((s) => s.scope)).not.toContain("global");
}

async function open(browser: Browser, role: "risk" | "trader"): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateFor(role) });
  return context.newPage();
}

/** A table row whose cells include one reading exactly `text`. */
const rowWithCell = (table: Locator, text: string) =>
  table.locator("tbody tr").filter({ has: table.page().getByRole("cell", { name: text, exact: true }) });

test.describe("kill switch (runbook: halt from the console, verify, reset)", () => {
  let risk: Page;
  let trader: Page;
  let riskActor: string;
  let workingClOrdId: string;

  test.beforeAll(async ({ browser }) => {
    riskActor = `user:${loginFor("risk").email}`;
    risk = await open(browser, "risk");
    trader = await open(browser, "trader");
  });

  test.afterAll(async ({ playwright }) => {
    // Always, whatever failed above: an API context of its own, so a broken page cannot stop it.
    const request = await playwright.request.newContext({
      baseURL: process.env.E2E_BASE_URL,
      storageState: storageStateFor("risk"),
    });
    try {
      await resetGlobalIfHalted(request);
    } finally {
      await request.dispose();
      await risk?.context().close();
      await trader?.context().close();
    }
  });

  test("a risk user previews the global kill switch, types HALT ALL and trips it with a reason", async () => {
    // A working order of the trader's, so the preview has something to show and the trip something to cancel.
    await openBlotter(trader, "trader");
    await waitLive(trader);
    const price = await limitAround(trader, SYMBOL, "Buy", false);
    workingClOrdId = await submitOrder(trader, {
      account: ACCOUNT,
      symbol: SYMBOL,
      side: "Buy",
      type: "Limit",
      quantity: "3",
      price,
      clOrdId: uniqueId("ks-working"),
    });
    await expect(rowByClOrdId(trader, workingClOrdId)).toHaveAttribute("data-status", /^(Submitted|Accepted)$/, { timeout: 15_000 });

    await risk.goto("/controls");
    await expect(risk.locator("header .role")).toHaveText("risk", { timeout: 15_000 });
    await expect(risk.getByTestId("controls-unconfirmed")).toHaveCount(0, { timeout: 15_000 });
    const killSwitch = risk.getByRole("region", { name: "Global kill switch" });
    await expect(killSwitch.getByTestId("controls-global-state")).toHaveText("ACTIVE");
    await expect(risk.getByTestId("halt-banner")).toHaveCount(0);

    // 1. Type the reason; 2. keep the actions (halt, cancel, notify).
    await killSwitch.getByLabel("Global halt reason").fill(HALT_REASON);
    await expect(killSwitch.getByRole("checkbox", { name: "haltNewOrders" })).toBeChecked();
    await expect(killSwitch.getByRole("checkbox", { name: "cancelOpenOrders" })).toBeChecked();
    await expect(killSwitch.getByRole("checkbox", { name: "notifyRiskTeam" })).toBeChecked();
    await expect(killSwitch.getByRole("checkbox", { name: "closeAllPositions" })).not.toBeChecked();

    // 3. Preview impact: open orders and notional to cancel, positions, per account.
    await killSwitch.getByRole("button", { name: "Preview impact" }).click();
    const preview = killSwitch.getByTestId("controls-preview");
    await expect(preview).toBeVisible({ timeout: 15_000 });
    await expect(preview).toContainText(/Would cancel \d+ open orders \(notional [\d.,]+\) and could flatten \d+ positions/);
    const table = preview.getByRole("table");
    for (const header of ["Account", "Open orders", "Notional", "Positions"])
      await expect(table.getByRole("columnheader", { name: header })).toBeVisible();
    const alpha = rowWithCell(table, ACCOUNT);
    await expect(alpha).toHaveCount(1);
    const openOrders = Number(await alpha.getByRole("cell").nth(1).textContent());
    const notional = Number((await alpha.getByRole("cell").nth(2).textContent())?.replaceAll(",", ""));
    expect(openOrders, "open orders for ACC-ALPHA (the trader's working order at least)").toBeGreaterThanOrEqual(1);
    expect(notional, "open notional for ACC-ALPHA").toBeGreaterThan(0);

    // 4. Type HALT ALL: the button stays off until the words are exact.
    const haltButton = preview.getByRole("button", { name: "HALT ALL TRADING" });
    const confirm = preview.getByLabel("Type HALT ALL to confirm");
    await expect(haltButton).toBeDisabled();
    await confirm.fill("HALT AL");
    await expect(haltButton).toBeDisabled();
    await confirm.fill("HALT ALL");
    await expect(haltButton).toBeEnabled();
    await risk.screenshot({ path: screenshotPath("controls-preview.png"), fullPage: true });

    // 5. HALT ALL TRADING.
    await haltButton.click();
    const message = risk.getByTestId("controls-message");
    await expect(message).toHaveText(/^Global halt in force: \d+ orders cancelled, 0 positions flattened$/, { timeout: 20_000 });
    const cancelled = Number(/: (\d+) orders cancelled/.exec((await message.textContent()) ?? "")?.[1]);
    expect(cancelled, "orders the trip cancelled").toBeGreaterThanOrEqual(1);
  });

  test("the halt took: Controls shows global HALTED with who and why, the history has the trip and its outcome", async () => {
    const killSwitch = risk.getByRole("region", { name: "Global kill switch" });
    await expect(killSwitch.getByTestId("controls-global-state")).toHaveText("HALTED");
    await expect(killSwitch.getByRole("button", { name: "HALT ALL TRADING" })).toHaveCount(0);

    // The state per scope: global, HALTED, by the risk user, with the reason.
    const states = risk.getByRole("region", { name: "Trading state per scope" }).getByTestId("controls-states");
    const global = rowWithCell(states, "global");
    await expect(global).toHaveCount(1);
    const cells = global.getByRole("cell");
    await expect(cells.nth(1)).toHaveText(/^HALTED/);
    await expect(cells.nth(2)).toHaveText(riskActor);
    await expect(cells.nth(3)).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    await expect(cells.nth(4)).toHaveText(HALT_REASON);

    // The history: the trip (actions and reason) and its outcome, by the risk user.
    const history = risk.getByRole("region", { name: "History" }).getByTestId("controls-history");
    const tripped = history.locator("tbody tr").filter({ hasText: "KillSwitchTripped" }).filter({ hasText: HALT_REASON });
    await expect(tripped).toHaveCount(1, { timeout: 15_000 });
    await expect(tripped.getByRole("cell").nth(2)).toHaveText("global");
    await expect(tripped.getByRole("cell").nth(3)).toHaveText(riskActor);
    await expect(tripped.getByRole("cell").nth(4)).toHaveText(`haltNewOrders, cancelOpenOrders, notifyRiskTeam: ${HALT_REASON}`);
    const outcome = history.locator("tbody tr").filter({ hasText: "KillSwitchOutcome" }).first();
    await expect(outcome.getByRole("cell").nth(2)).toHaveText("global");
    await expect(outcome.getByRole("cell").nth(4)).toHaveText(/^[1-9]\d* orders cancelled, 0 positions flattened, 0 failures$/);

    // The red banner is on the Controls page too, naming the scope, reason and author.
    const banner = risk.getByRole("region", { name: "Trading halted" });
    await expect(banner).toContainText(`global: “${HALT_REASON}” — by ${riskActor}`);
    await risk.screenshot({ path: screenshotPath("controls-halted.png"), fullPage: true });
  });

  test("a trader sees the red banner on the blotter, and a new order is refused naming global and who halted it", async () => {
    await openBlotter(trader, "trader");
    await waitLive(trader);
    const banner = trader.getByRole("region", { name: "Trading halted" });
    await expect(banner).toBeVisible({ timeout: 15_000 });
    await expect(banner).toContainText("TRADING HALTED");
    await expect(banner).toContainText(`global: “${HALT_REASON}” — by ${riskActor} at `);
    // The trip cancelled the trader's working order (runbook: no working orders in scope).
    await expect(rowByClOrdId(trader, workingClOrdId)).toHaveAttribute("data-status", "Cancelled", { timeout: 15_000 });

    // An order that grows the position (a halt lets reducing orders through): buy from flat/long, sell from short.
    const side = await growingSide(trader.request, ACCOUNT, SYMBOL);
    const price = await limitAround(trader, SYMBOL, side, false);
    await fillAndSubmit(trader, {
      account: ACCOUNT,
      symbol: SYMBOL,
      side,
      type: "Limit",
      quantity: "1",
      price,
      clOrdId: uniqueId("ks-refused"),
    });
    const alert = ticket(trader).getByRole("alert");
    await expect(alert).toContainText("Rejected: TRADING_HALTED: trading is HALTED for global by", { timeout: 15_000 });
    await expect(alert).toContainText(`for global by ${riskActor} at `);
    await expect(alert).toContainText(`reason "${HALT_REASON}"`);
    await trader.screenshot({ path: screenshotPath("halt-banner-trader.png") });
  });

  test("the risk user resets global with a reason; Controls shows ACTIVE and the banner disappears", async () => {
    const scopes = risk.getByRole("region", { name: "Trading state per scope" });
    const resetButton = scopes.getByRole("button", { name: "Reset global" });
    // A reason is required before Reset is offered.
    await expect(resetButton).toBeDisabled();
    await scopes.getByLabel("Reset reason").fill(RESET_REASON);
    await expect(resetButton).toBeEnabled();
    await resetButton.click();
    await expect(risk.getByTestId("controls-message")).toHaveText("Reset global", { timeout: 15_000 });
    await expect(risk.getByRole("region", { name: "Global kill switch" }).getByTestId("controls-global-state")).toHaveText("ACTIVE");
    await expect(rowWithCell(scopes.getByTestId("controls-states"), "global")).toHaveCount(0);
    const history = risk.getByRole("region", { name: "History" }).getByTestId("controls-history");
    const reset = history.locator("tbody tr").filter({ hasText: "KillSwitchReset" }).filter({ hasText: RESET_REASON });
    await expect(reset).toHaveCount(1, { timeout: 15_000 });
    await expect(reset.getByRole("cell").nth(3)).toHaveText(riskActor);
    await expect(risk.getByRole("region", { name: "Trading halted" })).toHaveCount(0, { timeout: 15_000 });

    // The trader's banner goes within a poll or two, without a reload.
    await expect(trader.getByRole("region", { name: "Trading halted" })).toHaveCount(0, { timeout: 15_000 });
  });
});
