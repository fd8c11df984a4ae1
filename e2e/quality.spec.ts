import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor, trpcGet, uniqueId } from "./helpers";

// The Execution quality page: a trader sends market orders to each simulated venue; the risk user
// opens Quality from the nav, sees the charts and the broker comparison, brushes a time range (the
// page filters to it and lists the matching orders, which link to their order pages), exports what is
// shown as CSV, and sets an alert rule.

const VENUES = ["SIM-FAST", "SIM-DEEP", "SIM-CHEAP"] as const;

test.describe("execution quality", () => {
  test.use({ storageState: storageStateFor("risk") });

  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor("trader"), baseURL: process.env.E2E_BASE_URL });
    const prefix = uniqueId("q").slice(0, 40);
    for (let i = 0; i < 24; i += 1) {
      const venueId = VENUES[i % VENUES.length];
      const response = await context.request.post("/api/trpc/orders.submit", {
        data: {
          clOrdId: `${prefix}-${i}`,
          accountId: "ACC-ALPHA",
          symbol: i % 2 === 0 ? "AAPL" : "MSFT",
          side: i % 4 < 2 ? "Buy" : "Sell",
          ordType: "Market",
          orderQty: String(10 * (1 + (i % 5))),
          timeInForce: "IOC",
          venueId,
        },
      });
      expect(response.status(), await response.text()).toBe(200);
    }
    await context.close();
  });

  test("risk reads the charts and the broker comparison, brushes a range to the matching orders, exports CSV", async ({ page }) => {
    // The projection follows the journal shortly after each commit.
    await expect
      .poll(async () => (await trpcGet<{ total: number }>(page.request, "quality.orders", { filter: {}, limit: 1 })).total, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(24);

    await openBlotter(page, "risk");
    await page.getByRole("link", { name: "Quality", exact: true }).click();
    await expect(page).toHaveURL(/\/quality$/, { timeout: 30_000 });
    await expect(page.getByRole("heading", { name: "Execution quality" })).toBeVisible();

    const comparison = page.getByRole("table", { name: "Broker comparison" });
    for (const venue of VENUES) await expect(comparison.locator(`tr[data-venue="${venue}"]`).first()).toBeVisible({ timeout: 15_000 });
    const latency = page.getByRole("region", { name: "Ack latency over time" });
    // A venue with no acknowledgements in the window draws no line, one with a single bucket a lone point:
    // look for a line with at least one segment (a path with a line or curve command).
    await expect(latency.locator('.recharts-line-curve:is([d*="L"], [d*="C"])').first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Slippage distribution" }).locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Fill and reject rates" }).locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Markout curves" })).toBeVisible();
    await page.screenshot({ path: screenshotPath("quality.png"), fullPage: true });

    // Filter by venue: only that venue's rows remain in the comparison.
    await page.locator(".quality-filters").getByLabel("Venue").selectOption("SIM-DEEP");
    await expect(comparison.locator('tr[data-venue="SIM-FAST"]')).toHaveCount(0);
    await expect(comparison.locator('tr[data-venue="SIM-DEEP"]').first()).toBeVisible();
    await page.locator(".quality-filters").getByLabel("Venue").selectOption("");

    // Brush: drag the right handle of the brush leftwards; the page filters to the selected range.
    const before = Number((await page.getByTestId("matching-count").textContent())?.match(/^(\d+)/)?.[1]);
    const handles = latency.locator(".recharts-brush-traveller");
    await expect(handles).toHaveCount(2);
    const right = await handles.nth(1).boundingBox();
    const left = await handles.nth(0).boundingBox();
    if (!right || !left) throw new Error("brush handles not laid out");
    await page.mouse.move(right.x + right.width / 2, right.y + right.height / 2);
    await page.mouse.down();
    await page.mouse.move(left.x + (right.x - left.x) * 0.6, right.y + right.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect(page.getByTestId("selection")).toContainText("Selected");
    const matching = page.getByRole("table", { name: "Matching orders" });
    await expect
      .poll(async () => Number((await page.getByTestId("matching-count").textContent())?.match(/^(\d+)/)?.[1]), { timeout: 10_000 })
      .toBeLessThanOrEqual(before);
    await page.screenshot({ path: screenshotPath("quality-brushed.png"), fullPage: true });

    // Export what is shown: sections with their headers, formula-looking cells neutralised.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = fs.readFileSync((await download.path()) ?? "", "utf8");
    expect(csv).toContain("# broker comparison (venue x order type x size)");
    expect(csv).toContain("order_type,size_bucket,venue,rank,orders");
    expect(csv).toContain("# orders (");
    for (const line of csv.split("\r\n")) for (const cell of line.split(",")) expect(cell).not.toMatch(/^[=+@\t]/);

    // An order behind the selection opens its order page.
    const link = matching.getByRole("link").first();
    const orderId = await link.textContent();
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/orders/${orderId}$`));
  });

  test("risk sets an alert rule; compliance sees the page and the rule but cannot change it", async ({ page, browser }) => {
    await page.goto("/quality");
    const form = page.getByRole("form", { name: "Add or change an alert rule" });
    const id = `e2e-acks-${Date.now().toString(36)}`;
    await form.getByLabel("Rule id").fill(id);
    await form.getByLabel("Metric").selectOption("ackLatencyP99Ms");
    await form.getByLabel("Raise above").fill("50");
    await form.getByRole("button", { name: "Save rule" }).click();
    const rules = page.getByRole("table", { name: "Alert rules" });
    const row = rules.locator("tr", { hasText: id });
    await expect(row).toContainText("p99 ack latency", { timeout: 30_000 });
    await expect(row).toContainText("50 ms");
    await expect(row).toContainText("40 ms"); // cleared at 80 % of the threshold by default
    await page.getByRole("region", { name: "Quality alert rules" }).screenshot({ path: screenshotPath("quality-alert-rules.png") });

    const context = await browser.newContext({ storageState: storageStateFor("compliance"), baseURL: process.env.E2E_BASE_URL });
    const other = await context.newPage();
    await other.goto("/quality");
    await expect(other.getByRole("table", { name: "Alert rules" }).locator("tr", { hasText: id })).toBeVisible({ timeout: 30_000 });
    await expect(other.getByRole("form", { name: "Add or change an alert rule" })).toHaveCount(0);
    await expect(other.getByRole("button", { name: "Remove" })).toHaveCount(0);
    await context.close();

    await row.getByRole("button", { name: "Remove" }).click();
    await expect(row).toHaveCount(0);
  });
});
