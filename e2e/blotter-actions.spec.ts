import { expect, test } from "@playwright/test";
import {
  blotter,
  COL,
  cell,
  focusRow,
  limitAround,
  openBlotter,
  rowByClOrdId,
  storageStateFor,
  submitOrder,
  uniqueId,
  waitLive,
} from "./helpers";

test.describe("blotter actions: modify, cancel all, detail link", () => {
  test.use({ storageState: storageStateFor("trader") });
  test.beforeEach(async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
  });

  test("modify a resting limit's quantity; a change the engine refuses shows its error", async ({ page }) => {
    const price = await limitAround(page, "SPY", "Buy", false);
    const clOrdId = uniqueId("modify");
    await submitOrder(page, { symbol: "SPY", side: "Buy", type: "Limit", quantity: "3", price, clOrdId, tif: "GTC" });
    const row = await focusRow(page, clOrdId);
    await expect(row).toHaveAttribute("data-status", "Accepted", { timeout: 15_000 });

    await row.getByRole("button", { name: `Modify ${clOrdId}` }).click();
    const dialog = page.getByRole("dialog", { name: `Modify ${clOrdId}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel("New quantity")).toHaveValue("3");
    await expect(dialog.getByLabel("New stop price")).toHaveCount(0);
    // Far outside the price collar: the engine's risk re-check refuses, the dialog says why and stays open.
    await dialog.getByLabel("New limit price").fill((Number(price) * 0.5).toFixed(2));
    await dialog.getByRole("button", { name: "Send change" }).click();
    await expect(dialog.getByRole("alert")).toHaveText(/PRICE_COLLAR/);
    await expect(row).toHaveAttribute("data-status", "Accepted");

    await dialog.getByLabel("New limit price").fill(price);
    await dialog.getByLabel("New quantity").fill("5");
    await dialog.getByRole("button", { name: "Send change" }).click();
    await expect(dialog).toHaveCount(0, { timeout: 15_000 });
    await expect(cell(rowByClOrdId(page, clOrdId), COL.qty)).toHaveText("5", { timeout: 15_000 });
    await expect(rowByClOrdId(page, clOrdId)).toHaveAttribute("data-status", "Accepted");
    await expect(cell(rowByClOrdId(page, clOrdId), COL.leaves)).toHaveText("5");

    await rowByClOrdId(page, clOrdId)
      .getByRole("button", { name: `Cancel ${clOrdId}` })
      .click();
    await expect(rowByClOrdId(page, clOrdId)).toHaveAttribute("data-status", "Cancelled", { timeout: 15_000 });
  });

  test("cancel all by symbol cancels every working order in it, after a confirmation", async ({ page }) => {
    const section = blotter(page);
    const cancelAll = section.getByRole("button", { name: "Cancel all…" });
    // Needs a filter first.
    await expect(cancelAll).toBeDisabled();

    const ids: string[] = [];
    for (const account of ["ACC-ALPHA", "ACC-BETA"]) {
      const price = await limitAround(page, "TSLA", "Buy", false);
      const clOrdId = uniqueId(`all-${account.slice(4, 5).toLowerCase()}`);
      await submitOrder(page, { symbol: "TSLA", side: "Buy", type: "Limit", quantity: "2", price, clOrdId, account, tif: "GTC" });
      ids.push(clOrdId);
    }
    for (const id of ids) await expect(rowByClOrdId(page, id)).toHaveAttribute("data-status", "Accepted", { timeout: 15_000 });

    await section.getByLabel("Filter by symbol").fill("TSLA");
    await expect(cancelAll).toBeEnabled();
    await cancelAll.click();
    const confirm = section.getByRole("group", { name: "Confirm cancel all" });
    await expect(confirm).toContainText("symbol TSLA");
    await confirm.getByRole("button", { name: "Confirm cancel all" }).click();
    // The outcome's status line (the export buttons have a status of their own in the same section).
    const outcome = section.getByRole("status").filter({ hasText: /^Cancel all/ });
    await expect(outcome).toHaveText(/cancelled (\d+), skipped (\d+)/, { timeout: 15_000 });
    const [, cancelled] = /cancelled (\d+)/.exec((await outcome.textContent()) ?? "") ?? [];
    expect(Number(cancelled)).toBeGreaterThanOrEqual(2);
    for (const id of ids) await expect(rowByClOrdId(page, id)).toHaveAttribute("data-status", "Cancelled", { timeout: 15_000 });
    await expect(confirm).toHaveCount(0);
  });
});
