import { expect, test } from "@playwright/test";
import {
  blotter,
  COL,
  cell,
  limitAround,
  openBlotter,
  rowByClOrdId,
  screenshotPath,
  storageStateFor,
  submitOrder,
  waitLive,
} from "./helpers";

test.describe("liquidity split", () => {
  test.use({ storageState: storageStateFor("trader") });

  test("an order routed by liquidity split shows its child orders per venue; cancelling it cancels them all", async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
    const price = await limitAround(page, "MSFT", "Buy", false);
    const clOrdId = await submitOrder(page, {
      symbol: "MSFT",
      side: "Buy",
      type: "Limit",
      quantity: "600",
      price,
      routing: "liquiditySplit",
    });
    const parent = rowByClOrdId(page, clOrdId);
    await expect(cell(parent, COL.venue)).toHaveText("split", { timeout: 15_000 });
    const parentId = await parent.getAttribute("data-order-id");
    const children = blotter(page).locator(`tbody tr[data-parent-id="${parentId}"]`);
    // Seeded depth: SIM-DEEP 2000, SIM-CHEAP 700, SIM-FAST 300 of 3000 shown.
    await expect(children).toHaveCount(3);
    await expect(children.locator(`td:nth-child(${COL.qty + 1})`)).toHaveText(["400", "140", "60"]);
    await expect(parent.getByRole("button", { name: `Modify ${clOrdId}` })).toHaveCount(0);

    await parent.getByRole("link", { name: clOrdId }).click();
    const split = page.getByRole("region", { name: "Liquidity split" });
    await expect(split.locator("tbody tr")).toHaveCount(3);
    await expect(split.locator("tbody tr td:nth-child(2)")).toHaveText(["SIM-DEEP", "SIM-CHEAP", "SIM-FAST"]);
    await expect(page.getByRole("region", { name: "Timeline" })).toContainText(
      "liquiditySplit → SIM-DEEP 400 + SIM-CHEAP 140 + SIM-FAST 60",
    );
    await page.screenshot({ path: screenshotPath("order-split.png"), fullPage: true });

    await page.goBack();
    await waitLive(page);
    await parent.getByRole("button", { name: `Cancel ${clOrdId}` }).click();
    await expect(parent).toHaveAttribute("data-status", "Cancelled", { timeout: 15_000 });
    for (const status of await children.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))))
      expect(["Cancelled", "Rejected"]).toContain(status);
  });
});
