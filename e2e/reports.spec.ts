import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor, uniqueId } from "./helpers";

// Reports and exports in the console: a trader's order fills; compliance previews today's trade
// report, exports it as CSV (downloaded, SHA-256 as journaled, formulas neutralised) and PDF, finds the
// ExportProduced event in the audit trail, and pages the order history.

test.describe("reports", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("compliance previews a trade report, exports CSV and PDF, and finds the export in the journal", async ({
    page,
    playwright,
    baseURL,
  }) => {
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    const clOrdId = uniqueId("rep");
    let orderId: string;
    try {
      const submitted = await trader.post("/api/trpc/orders.submit", {
        data: {
          clOrdId,
          accountId: "ACC-ALPHA",
          symbol: "MSFT",
          side: "Buy",
          ordType: "Market",
          orderQty: "7",
          timeInForce: "DAY",
          strategy: "E2E-REPORTS",
        },
      });
      expect(submitted.status(), await submitted.text()).toBe(200);
      orderId = ((await submitted.json()) as { result: { data: { order: { orderId: string } } } }).result.data.order.orderId;
    } finally {
      await trader.dispose();
    }

    await page.goto("/");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    await expect(page).toHaveURL(/\/reports$/);
    await page.getByLabel("Strategy").fill("E2E-REPORTS");
    const trades = page.getByRole("table", { name: "Trades" });
    await expect(async () => {
      await page.getByRole("button", { name: "Preview", exact: true }).click();
      await expect(trades).toContainText(orderId, { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    const metrics = page.getByTestId("report-metrics");
    await expect(metrics).toContainText("Trades");
    await expect(metrics).toContainText("Average fill price");

    await page.getByRole("button", { name: "Export CSV" }).click();
    const link = page.getByRole("link", { name: /^Download trades-.*\.csv$/ });
    await expect(link).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath("reports.png") });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = await readFile((await download.path()) ?? "");
    const text = file.toString("utf8");
    expect(text.split("\r\n")[0]).toContain("realizedPnL");
    expect(text).toContain(orderId);
    const sha = createHash("sha256").update(file).digest("hex");
    await expect(page.getByTestId("export-state")).toContainText(sha.slice(0, 16));

    await page.getByRole("button", { name: "Export PDF" }).click();
    await expect(page.getByRole("link", { name: /^Download trades-.*\.pdf$/ })).toBeVisible({ timeout: 30_000 });

    // The export is in the journal, with the file's hash.
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await page.getByLabel("Event types").fill("ExportProduced");
    await page.getByLabel("Text", { exact: true }).fill(sha);
    await page.getByRole("button", { name: "Search" }).click();
    const events = page.getByRole("table", { name: "Journal events" });
    await events.locator("tbody tr").first().click();
    await expect(page.getByTestId("event-json")).toContainText(sha, { timeout: 10_000 });
  });

  test("the order history pages and sorts on the server", async ({ page }) => {
    await page.goto("/orders/history");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    const table = page.getByRole("table", { name: "Orders" });
    await expect(table.locator("tbody tr").first()).toBeVisible({ timeout: 15_000 });
    await page.getByRole("button", { name: /^Qty/ }).click();
    await expect(page.getByRole("columnheader", { name: /Qty/ })).toHaveAttribute("aria-sort", "descending");
    await expect(page.getByTestId("history-page")).toContainText("Page 1");
    // The sorted page has arrived (the previous one is shown, busy, while it loads): quantities descend.
    await expect(table).toHaveAttribute("aria-busy", "false");
    const qty = (await table.locator("tbody tr td:nth-child(7)").allTextContents()).map(Number);
    expect(qty).toEqual([...qty].sort((a, b) => b - a));
    await page.screenshot({ path: screenshotPath("order-history.png") });
    // Filtered on the server by status and creation time (the whole of 2026 onwards): Filled only.
    await page.getByRole("combobox", { name: "Status" }).selectOption("Filled");
    await page.getByLabel("Created from (UTC)").fill("2026-01-01T00:00:00");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(table).toHaveAttribute("aria-busy", "false");
    await expect(table.locator("tbody tr").first()).toBeVisible({ timeout: 15_000 });
    const statuses = await table.locator("tbody tr td:nth-child(9)").allTextContents();
    expect(new Set(statuses)).toEqual(new Set(["Filled"]));
    await page.screenshot({ path: screenshotPath("order-history-filtered.png") });
  });

  test("compliance exports the blotter as filtered and finds it in Recent exports on the Reports page", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    await page.getByLabel("Filter by symbol").fill("MSFT");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const link = page.getByRole("link", { name: /^Download blotter-.*\.csv$/ });
    await expect(link).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("export-state")).toContainText(/\d[\d,]* rows?/);
    const fileName = ((await link.textContent()) ?? "").replace(/^Download /, "");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const lines = (await readFile((await download.path()) ?? "")).toString("utf8").trim().split("\r\n");
    expect(lines[0]).toContain("orderId,clOrdId,account,strategy,symbol");
    // Every order of the view, each of them MSFT (the symbol filter as the blotter applies it).
    for (const line of lines.slice(1)) expect(line.split(",")[4]).toContain("MSFT");

    await page.getByRole("link", { name: "Reports", exact: true }).click();
    const recent = page.getByRole("table", { name: "Recent exports" });
    const row = recent.locator("tbody tr").first();
    await expect(row).toContainText("blotter", { timeout: 15_000 });
    await expect(row.getByRole("link", { name: fileName })).toBeVisible();
    await expect(row).toContainText("done");
    await page.getByRole("region", { name: "Recent exports" }).scrollIntoViewIfNeeded();
    await page.getByRole("region", { name: "Recent exports" }).screenshot({ path: screenshotPath("reports-recent-exports.png") });
  });

  test("a trader sees no Reports link and is refused reports", async ({ playwright, baseURL }) => {
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    try {
      const input = encodeURIComponent(JSON.stringify({ reportType: "daily" }));
      const response = await trader.get(`/api/trpc/reports.trades?input=${input}`);
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain("audit:read");
    } finally {
      await trader.dispose();
    }
  });
});
