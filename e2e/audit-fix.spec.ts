import { expect, test } from "@playwright/test";
import { COL, cell, focusRow, limitAround, openBlotter, screenshotPath, storageStateFor, submitOrder, uniqueId } from "./helpers";

// One order's history includes the FIX messages exchanged for it: a trader's order directed to the
// demo's FIX venue (a real QuickFIX executor, FIX 4.4) fills; compliance finds it on the Audit page
// and reads the NewOrderSingle sent and the ExecutionReports received, every tag on expanding a row.

test.describe("audit: FIX messages", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("a FIX-EXEC order's history shows its FIX messages in and out", async ({ page, browser }) => {
    const traderContext = await browser.newContext({ storageState: storageStateFor("trader") });
    const clOrdId = uniqueId("auditfix");
    try {
      const trader = await traderContext.newPage();
      await openBlotter(trader, "trader");
      await submitOrder(trader, {
        symbol: "MSFT",
        side: "Buy",
        type: "Limit",
        quantity: "4",
        price: await limitAround(trader, "MSFT", "Buy", false),
        clOrdId,
        venue: "FIX-EXEC",
      });
      // QuickFIX's executor fills every limit order in full at its limit price.
      const row = await focusRow(trader, clOrdId);
      await expect(cell(row, COL.venue)).toHaveText("FIX-EXEC", { timeout: 20_000 });
      await expect(cell(row, COL.status)).toHaveText("Filled", { timeout: 20_000 });
    } finally {
      await traderContext.close();
    }

    await page.goto("/audit");
    await page.getByLabel("Client order id", { exact: true }).fill(clOrdId);
    await page.getByRole("button", { name: "Search" }).click();
    const events = page.getByRole("table", { name: "Journal events" });
    await expect(events.locator("tbody tr").first()).toBeVisible({ timeout: 10_000 });
    await events
      .getByRole("button", { name: /^History of / })
      .first()
      .click();

    const history = page.getByRole("region", { name: "Order history" });
    await expect(history.getByTestId("order-history")).toContainText("OrderFilled", { timeout: 10_000 });
    const fix = history.getByRole("region", { name: "FIX messages" });
    const rows = fix.getByRole("table", { name: "FIX messages of the order" }).locator("tbody tr");
    await expect(rows.first()).toBeVisible({ timeout: 10_000 });

    // Oldest first: the order out, then the venue's reports in; the last one is the fill.
    const first = rows.first();
    await expect(first).toHaveAttribute("data-msg-type", "D");
    await expect(first).toContainText("→ out");
    await expect(first).toContainText("NewOrderSingle");
    await expect(first).toContainText("FIX-EXEC");
    const reports = fix.locator('tbody tr[data-msg-type="8"]');
    expect(await reports.count()).toBeGreaterThanOrEqual(1);
    const fill = reports.last();
    await expect(fill).toContainText("← in");
    await expect(fill).toContainText("ExecutionReport");
    await expect(fill).toContainText("2 Filled");
    const orderId = (await first.locator("td").nth(6).textContent())?.trim() ?? "";
    expect(orderId).not.toBe("");
    await expect(fill.locator("td").nth(6)).toHaveText(orderId); // the same ClOrdID both ways

    // Every tag of the fill, on expanding its row.
    await fill.getByRole("button", { name: /^All tags of received ExecutionReport #\d+$/ }).click();
    const tags = fix.locator("tr.fix-tags");
    await expect(tags).toContainText("32 LastQty");
    await expect(tags).toContainText("17 ExecID");
    await fix.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("audit-fix-messages.png"), fullPage: true });
  });
});
