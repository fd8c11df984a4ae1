import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import {
  fillAndSubmit,
  growingSide,
  limitAround,
  openBlotter,
  screenshotPath,
  storageStateFor,
  ticket,
  uniqueId,
  waitLive,
} from "./helpers";

// These change global state (limits, the global trading state), so they run serially and in a project
// of their own that starts after every other spec has finished (see playwright.config.ts).
test.describe.configure({ mode: "serial" });

async function open(browser: Browser, role: "risk" | "trader"): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateFor(role) });
  return context.newPage();
}

async function restore(request: APIRequestContext): Promise<void> {
  const limits = await request.post("/api/trpc/risk.limits.set", {
    data: { scope: "account:ACC-GAMMA", limits: { maxOrderQty: "100000" } },
  });
  expect(limits.status()).toBe(200);
  const state = await request.post("/api/trpc/risk.tradingState.set", {
    data: { scope: "global", state: "ACTIVE", reason: "e2e: restore after risk controls spec" },
  });
  expect(state.status()).toBe(200);
}

test.describe("risk controls (risk user changes, trader feels them)", () => {
  let risk: Page;
  let trader: Page;

  test.beforeAll(async ({ browser }) => {
    risk = await open(browser, "risk");
    trader = await open(browser, "trader");
  });

  test.afterAll(async () => {
    await restore(risk.request);
    await risk.context().close();
    await trader.context().close();
  });

  test("maxOrderQty 5 for ACC-GAMMA rejects a trader's order of 10, then is set back", async () => {
    await risk.goto("/risk");
    await expect(risk.locator("header .role")).toHaveText("risk", { timeout: 15_000 });
    const form = risk.getByRole("form", { name: "Edit limit" });
    const limits = risk.getByRole("region", { name: "Risk limits" });
    const gamma = limits.locator('tr[data-limit="maxOrderQty"] td[data-scope="account:ACC-GAMMA"]');

    // The server's validation errors are shown as they come.
    await form.getByLabel("Scope").selectOption("account:ACC-GAMMA");
    await form.getByLabel("Field").selectOption("maxOrderQty");
    await form.getByLabel("Value").fill("lots");
    await form.getByRole("button", { name: "Set limit" }).click();
    await expect(limits.getByRole("alert")).toContainText("maxOrderQty: must be a decimal string");

    await form.getByLabel("Value").fill("5");
    await form.getByRole("button", { name: "Set limit" }).click();
    await expect(limits.getByRole("status")).toHaveText("maxOrderQty for account:ACC-GAMMA set to 5");
    await expect(gamma).toHaveText("5");
    await expect(gamma).toHaveClass(/override/);
    await risk.screenshot({ path: screenshotPath("risk.png"), fullPage: true });

    try {
      await openBlotter(trader, "trader");
      await waitLive(trader);
      const price = await limitAround(trader, "AAPL", "Buy", false);
      await fillAndSubmit(trader, {
        symbol: "AAPL",
        side: "Buy",
        type: "Limit",
        quantity: "10",
        price,
        account: "ACC-GAMMA",
        clOrdId: uniqueId("maxqty"),
      });
      await expect(ticket(trader).getByRole("alert")).toHaveText("Rejected: MAX_ORDER_QTY: quantity 10 exceeds the limit 5", {
        timeout: 15_000,
      });
    } finally {
      await form.getByLabel("Value").fill("100000");
      await form.getByRole("button", { name: "Set limit" }).click();
      await expect(limits.getByRole("status")).toHaveText("maxOrderQty for account:ACC-GAMMA set to 100,000");
      await expect(gamma).toHaveText("100,000");
    }
  });

  test("HALT ALL TRADING rejects a trader's order with TRADING_HALTED, then trading resumes", async () => {
    await risk.goto("/risk");
    const control = risk.getByRole("region", { name: "Global trading state" });
    const globalRow = risk.getByRole("table", { name: "Trading states" }).locator('tr[data-scope="global"]');
    await expect(globalRow).toHaveAttribute("data-state", "ACTIVE", { timeout: 15_000 });

    // A reason is required.
    await control.getByRole("button", { name: "HALT ALL TRADING" }).click();
    await control.getByRole("button", { name: "Confirm halt" }).click();
    await expect(control.getByRole("alert")).toHaveText(/reason/);
    await expect(globalRow).toHaveAttribute("data-state", "ACTIVE");

    await control.getByLabel(/^Reason/).fill("e2e: kill switch drill");
    await control.getByRole("button", { name: "Confirm halt" }).click();
    try {
      await expect(globalRow).toHaveAttribute("data-state", "HALTED");
      await expect(risk.getByTestId("global-state")).toHaveText("HALTED");
      await expect(control.getByRole("button", { name: "HALT ALL TRADING" })).toBeDisabled();
      await risk.screenshot({ path: screenshotPath("risk-halted.png"), fullPage: true });

      await openBlotter(trader, "trader");
      await waitLive(trader);
      // An order that grows the position: a halt lets orders that only reduce one through.
      const side = await growingSide(trader.request, "ACC-ALPHA", "MSFT");
      const price = await limitAround(trader, "MSFT", side, false);
      await fillAndSubmit(trader, { symbol: "MSFT", side, type: "Limit", quantity: "1", price, clOrdId: uniqueId("halted") });
      await expect(ticket(trader).getByRole("alert")).toHaveText(/^Rejected: TRADING_HALTED: /, { timeout: 15_000 });
    } finally {
      await control.getByLabel(/^Reason/).fill("e2e: drill over");
      await control.getByRole("button", { name: "Set global ACTIVE" }).click();
      await expect(globalRow).toHaveAttribute("data-state", "ACTIVE");
      await expect(control.getByRole("status")).toHaveText("global is now ACTIVE");
    }
  });
});
