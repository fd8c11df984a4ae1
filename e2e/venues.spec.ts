import { type Browser, expect, type Page, test } from "@playwright/test";
import { COL, cell, limitAround, openBlotter, rowByClOrdId, screenshotPath, storageStateFor, submitOrder, uniqueId } from "./helpers";

// Takes a simulated venue down, so it runs in the exclusive project, after every other spec.
test.describe.configure({ mode: "serial" });

async function open(browser: Browser, role: "admin" | "trader"): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateFor(role) });
  return context.newPage();
}

test.describe("venues", () => {
  let admin: Page;
  let trader: Page;

  test.beforeAll(async ({ browser }) => {
    admin = await open(browser, "admin");
    trader = await open(browser, "trader");
  });

  test.afterAll(async () => {
    for (const venueId of ["SIM-DEEP", "SIM-CHEAP"])
      await admin.request.post("/api/trpc/venues.setOutage", { data: { venueId, down: false } });
    await admin.context().close();
    await trader.context().close();
  });

  test("the Venues page shows every venue's health, live", async () => {
    await trader.goto("/venues");
    const table = trader.getByRole("region", { name: "Venues" });
    for (const venueId of ["SIM-FAST", "SIM-DEEP", "SIM-CHEAP"])
      await expect(table.locator(`tr[data-venue-id="${venueId}"]`)).toHaveAttribute("data-state", "UP");
    await expect(trader.getByRole("button", { name: "Simulate outage" })).toHaveCount(0);
    const outage = await trader.request.post("/api/trpc/venues.setOutage", { data: { venueId: "SIM-FAST", down: true } });
    expect(outage.status()).toBe(403);
  });

  test("the demo's FIX venue is a live FIX 4.4 session to QuickFIX, and a directed order fills there", async () => {
    await trader.goto("/venues");
    const fix = trader.getByRole("region", { name: "Venues" }).locator('tr[data-venue-id="FIX-EXEC"]');
    await expect(fix).toHaveAttribute("data-state", "UP", { timeout: 20_000 });
    await expect(fix).toContainText("fix");
    // The FIX session's heartbeats (HeartBtInt 10 s) keep the venue heard from.
    await expect(fix.locator('td[data-column="heartbeat"]')).toHaveText(/^\d+\.\d s ago$/);

    await openBlotter(trader, "trader");
    const clOrdId = uniqueId("fix");
    await submitOrder(trader, {
      symbol: "MSFT",
      side: "Buy",
      type: "Limit",
      quantity: "3",
      price: await limitAround(trader, "MSFT", "Buy", false),
      clOrdId,
      venue: "FIX-EXEC",
    });
    // QuickFIX executor fills every limit order in full at its limit price, however far from the market.
    const row = rowByClOrdId(trader, clOrdId);
    await expect(cell(row, COL.venue)).toHaveText("FIX-EXEC", { timeout: 15_000 });
    await expect(cell(row, COL.status)).toHaveText("Filled", { timeout: 15_000 });
    await trader.goto("/venues");
    await trader.screenshot({ path: screenshotPath("venues-fix.png"), fullPage: true });
  });

  test("an outage turns the venue DOWN at once and new orders go elsewhere", async () => {
    await admin.goto("/venues");
    const deep = admin.locator('tr[data-venue-id="SIM-DEEP"]');
    await deep.getByRole("button", { name: "Simulate outage" }).click();
    await expect(deep).toHaveAttribute("data-state", "DOWN");
    await admin.screenshot({ path: screenshotPath("venues.png"), fullPage: true });

    await openBlotter(trader, "trader");
    const clOrdId = uniqueId("route");
    await submitOrder(trader, {
      symbol: "AAPL",
      side: "Buy",
      type: "Limit",
      quantity: "5",
      price: await limitAround(trader, "AAPL", "Buy", true),
      clOrdId,
    });
    const venue = cell(rowByClOrdId(trader, clOrdId), COL.venue);
    await expect(venue).not.toHaveText("—");
    await expect(venue).not.toHaveText("SIM-DEEP");

    await deep.getByRole("button", { name: "Restore" }).click();
    await expect(deep).toHaveAttribute("data-state", "UP", { timeout: 15_000 });
  });
});
