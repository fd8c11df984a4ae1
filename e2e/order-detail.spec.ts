import { expect, test } from "@playwright/test";
import { focusRow, limitAround, openBlotter, screenshotPath, storageStateFor, submitOrder, uniqueId, waitLive } from "./helpers";

const LATENCY = /^-?\d+(\.\d+)? (µs|ms|s)$/;

test.describe("order detail", () => {
  test.use({ storageState: storageStateFor("trader") });

  test("clicking the ClOrdID opens the order with its fields, event timeline and hop latencies", async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
    const price = await limitAround(page, "AAPL", "Buy", true);
    const clOrdId = uniqueId("detail");
    await submitOrder(page, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "6", price, clOrdId, account: "ACC-BETA" });
    const row = await focusRow(page, clOrdId);
    await expect(row).toHaveAttribute("data-status", "Filled", { timeout: 15_000 });
    const orderId = (await row.getAttribute("data-order-id")) ?? "";

    await row.getByRole("link", { name: clOrdId }).click();
    await expect(page).toHaveURL(new RegExp(`/orders/${orderId}$`));
    const fields = page.getByRole("region", { name: "Order" });
    await expect(fields.getByTestId("order-status")).toHaveText("Filled");
    await expect(fields.locator('[data-field="OrderID"] dd')).toHaveText(orderId);
    await expect(fields.locator('[data-field="ClOrdID"] dd')).toHaveText(clOrdId);
    await expect(fields.locator('[data-field="Account"] dd')).toHaveText("ACC-BETA");
    await expect(fields.locator('[data-field="OrderQty"] dd')).toHaveText("6");
    await expect(fields.locator('[data-field="CumQty"] dd')).toHaveText("6");
    await expect(fields.locator('[data-field="Price"] dd')).toHaveText(price);

    const timeline = page.getByRole("region", { name: "Timeline" });
    for (const type of ["OrderReceived", "OrderValidated", "OrderSubmitted", "OrderAccepted", "OrderFilled"]) {
      await expect(timeline.locator(`tr[data-event-type="${type}"]`).first()).toBeVisible();
    }
    // Times to the microsecond, actors and key data.
    const received = timeline.locator('tr[data-event-type="OrderReceived"]');
    await expect(received.locator("td").nth(1)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    await expect(received.locator("td").nth(4)).toHaveText("user:trader@demo.fillmore.local");
    await expect(timeline.locator('tr[data-event-type="OrderValidated"] td').nth(4)).toHaveText("risk");
    await expect(timeline.locator('tr[data-event-type="OrderSubmitted"] td').nth(5)).toContainText("venue SIM-");
    await expect(timeline.locator('tr[data-event-type="OrderFilled"] td').nth(5)).toHaveText(/^\d+ @ [\d.]+ · execId \S+ · venue SIM-/);

    const latency = page.getByRole("region", { name: "Latency" });
    for (const hop of ["received-validated", "validated-sent", "sent-acknowledged", "acknowledged-firstFill", "firstFill-done"]) {
      await expect(latency.locator(`tr[data-hop="${hop}"] td`).nth(1)).toHaveText(LATENCY);
    }
    await expect(latency.locator('tr[data-hop="received-validated"] td').first()).toHaveText("received → validated");
    await page.screenshot({ path: screenshotPath("order-detail.png"), fullPage: true });

    // Header navigation back to the blotter.
    await page.locator("header").getByRole("link", { name: "Blotter" }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test("an unknown order id shows the server's error", async ({ page }) => {
    await page.goto("/orders/O999999999");
    await expect(page.getByRole("alert").filter({ hasText: "O999999999" })).toHaveText("no order O999999999", { timeout: 15_000 });
    await expect(page.getByRole("region", { name: "Timeline" })).toHaveCount(0);
  });
});
