import { expect, type Page, test } from "@playwright/test";
import {
  blotter,
  COL,
  cell,
  fillAndSubmit,
  focusRow,
  limitAround,
  openBlotter,
  rowByClOrdId,
  screenshotPath,
  storageStateFor,
  submitOrder,
  ticket,
  waitLive,
} from "./helpers";

/** Counts order submissions the page sends to the server. */
function countSubmits(page: Page): () => number {
  let n = 0;
  page.on("request", (request) => {
    if (request.url().includes("/api/trpc/orders.submit")) n += 1;
  });
  return () => n;
}

test.describe("order ticket", () => {
  test.use({ storageState: storageStateFor("trader") });
  test.beforeEach(async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
  });

  test("a marketable limit buy fills completely", async ({ page }) => {
    const price = await limitAround(page, "AAPL", "Buy", true);
    const clOrdId = await submitOrder(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "7", price, account: "ACC-BETA" });
    const row = await focusRow(page, clOrdId);
    await expect(row).toHaveCount(1, { timeout: 10_000 });
    await expect(row).toHaveAttribute("data-status", "Filled", { timeout: 15_000 });
    await expect(cell(row, COL.qty)).toHaveText("7");
    await expect(cell(row, COL.filled)).toHaveText("7");
    await expect(cell(row, COL.leaves)).toHaveText("0");
    await expect(cell(row, COL.account)).toHaveText("ACC-BETA");
    await expect(cell(row, COL.symbol)).toHaveText("AAPL");
    await expect(cell(row, COL.side)).toHaveText("Buy");
    await expect(cell(row, COL.type)).toHaveText("Limit");
    expect(Number(await cell(row, COL.limitPx).textContent())).toBe(Number(price));
    // Filled at the market, below the limit (which is 5% through the ask).
    const avgPx = Number(await cell(row, COL.avgPx).textContent());
    expect(avgPx).toBeGreaterThan(Number(price) * 0.9);
    expect(avgPx).toBeLessThan(Number(price));
    await expect(row.getByRole("button", { name: `Cancel ${clOrdId}` })).toHaveCount(0);
    await blotter(page).getByLabel("Find by ClOrdID or order id").fill("");
    await page.screenshot({ path: screenshotPath("blotter-trader.png"), fullPage: true });
  });

  test("a passive limit buy rests as Accepted", async ({ page }) => {
    const price = await limitAround(page, "MSFT", "Buy", false);
    const clOrdId = await submitOrder(page, { symbol: "MSFT", side: "Buy", type: "Limit", quantity: "3", price, tif: "GTC" });
    const row = rowByClOrdId(page, clOrdId);
    await expect(row).toHaveAttribute("data-status", "Accepted", { timeout: 15_000 });
    await expect(cell(row, COL.filled)).toHaveText("0");
    await expect(cell(row, COL.leaves)).toHaveText("3");
    await expect(row.locator("td").nth(13)).toHaveText("GTC");
    await expect(row.getByRole("button", { name: `Cancel ${clOrdId}` })).toBeVisible();
  });

  test("a market sell fills", async ({ page }) => {
    const clOrdId = await submitOrder(page, { symbol: "NVDA", side: "Sell", type: "Market", quantity: "4", account: "ACC-GAMMA" });
    const row = rowByClOrdId(page, clOrdId);
    await expect(row).toHaveAttribute("data-status", "Filled", { timeout: 15_000 });
    await expect(cell(row, COL.type)).toHaveText("Market");
    await expect(cell(row, COL.side)).toHaveText("Sell");
    await expect(cell(row, COL.filled)).toHaveText("4");
    await expect(cell(row, COL.limitPx)).toHaveText("—");
    expect(Number(await cell(row, COL.avgPx).textContent())).toBeGreaterThan(0);
  });

  test("bad quantities show a clear error and send no order", async ({ page }) => {
    const submits = countSubmits(page);
    const form = ticket(page);
    const alert = form.getByRole("alert");

    await fillAndSubmit(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "0", price: "189.50" });
    await expect(alert).toHaveText(/orderQty.*greater than zero/);
    await expect(form.getByRole("status")).toHaveCount(0);

    await fillAndSubmit(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "abc", price: "189.50" });
    await expect(alert).toHaveText(/orderQty.*decimal/);
    await page.screenshot({ path: screenshotPath("ticket-error.png"), fullPage: true });

    await fillAndSubmit(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "10", price: "-5" });
    await expect(alert).toHaveText(/price/);

    expect(submits()).toBe(0);
    await expect(form.getByRole("status")).toHaveCount(0);
  });

  test("the server refuses a bad quantity too (no client-side check in the way)", async ({ page }) => {
    const clOrdId = `e2e-bad-${Date.now().toString(36)}`;
    const response = await page.request.post("/api/trpc/orders.submit", {
      data: { clOrdId, accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Limit", orderQty: "0", price: "189.50" },
    });
    expect(response.status()).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/orderQty.*greater than zero/);
    // Nothing with that id reaches the blotter after a fresh snapshot.
    await page.reload();
    await waitLive(page);
    await expect(rowByClOrdId(page, clOrdId)).toHaveCount(0);
  });

  test("a resting order is cancelled from its row", async ({ page }) => {
    const price = await limitAround(page, "AAPL", "Buy", false);
    const clOrdId = await submitOrder(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "2", price });
    const row = await focusRow(page, clOrdId);
    await expect(row).toHaveAttribute("data-status", "Accepted", { timeout: 15_000 });
    const cancel = row.getByRole("button", { name: `Cancel ${clOrdId}` });
    // Reachable without scrolling the table sideways (at a 1440 px wide window).
    await expect(cancel).toBeInViewport({ ratio: 1 });
    await cancel.click();
    await expect(row).toHaveAttribute("data-status", "Cancelled", { timeout: 15_000 });
    await expect(row.getByRole("button", { name: `Cancel ${clOrdId}` })).toHaveCount(0);
    await expect(cell(row, COL.status)).toHaveText("Cancelled");
    await expect(cell(row, COL.filled)).toHaveText("0");
    await expect(page.locator(".banner.error")).toHaveCount(0);
  });
});
