import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor, uniqueId } from "./helpers";

// Regulatory outputs in the console: a trader's order is journaled; compliance previews today's CAT
// file on the Reports page (Eastern day), finds the order's MENO and MEOR, downloads the file (its
// SHA-256 as journaled), then previews the quarter's 606 report and downloads its PDF. A trader is
// refused the reports.

test.describe("regulatory", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("compliance previews and downloads the CAT file and the 606 report", async ({ page, playwright, baseURL }) => {
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    let orderId: string;
    try {
      const submitted = await trader.post("/api/trpc/orders.submit", {
        data: {
          clOrdId: uniqueId("reg"),
          accountId: "ACC-ALPHA",
          symbol: "MSFT",
          side: "Buy",
          ordType: "Market",
          orderQty: "5",
          timeInForce: "DAY",
          strategy: "E2E-REGULATORY",
        },
      });
      expect(submitted.status(), await submitted.text()).toBe(200);
      orderId = ((await submitted.json()) as { result: { data: { order: { orderId: string } } } }).result.data.order.orderId;
    } finally {
      await trader.dispose();
    }

    await page.goto("/reports");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    const section = page.getByRole("region", { name: "Regulatory" });
    // The select's accessible name includes its options: pick it by its name attribute.
    const report = section.locator('select[name="kind"]');
    await report.selectOption("cat");
    const table = section.getByRole("table", { name: "Regulatory preview" });
    // The preview shows the day's first rows (500 at most): on a stack that has traded all day the new
    // order may be past them, so it is looked for in the downloaded file, which has every record.
    await section.getByRole("button", { name: "Preview file" }).click();
    await expect(table.locator("tbody tr").filter({ hasText: "MENO" }).first()).toBeVisible({ timeout: 20_000 });
    await expect(table.locator("tbody tr").filter({ hasText: "MEOR" }).first()).toBeVisible();
    await expect(section.getByTestId("regulatory-file")).toHaveText(/^12345_FLMR_\d{8}_G1_OrderEvents_000001\.json\.bz2$/);

    await section.getByRole("button", { name: "Download BZ2" }).click();
    const link = section.getByRole("link", { name: /^Save 12345_FLMR_.*\.json\.bz2$/ });
    await expect(link).toBeVisible({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath("regulatory-cat.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = await readFile((await download.path()) ?? "");
    // bzip2-compressed, as CAT takes it: decompressed with the system bzip2.
    const records = execFileSync("bzip2", ["-d", "-c"], { input: file })
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; orderID: string });
    expect(records.filter((r) => r.orderID === orderId).map((r) => r.type)).toEqual(["MENO", "MEOR"]);
    const sha = createHash("sha256").update(file).digest("hex");
    await expect(section.getByTestId("regulatory-export")).toContainText(sha.slice(0, 16));

    // The companion metadata file: the data file's name, its record count and the SHA-256 of its bytes.
    await report.selectOption("catMetadata");
    await section.getByRole("button", { name: "Preview file" }).click();
    await expect(section.getByTestId("regulatory-file")).toHaveText(/^12345_FLMR_\d{8}_G1_OrderEvents_000001\.meta\.json$/, {
      timeout: 20_000,
    });
    await expect(table).toContainText("bzip2");
    await section.getByRole("button", { name: "Download META.JSON" }).click();
    const metaLink = section.getByRole("link", { name: /^Save 12345_FLMR_.*\.meta\.json$/ });
    await expect(metaLink).toBeVisible({ timeout: 15_000 });
    const [metaDownload] = await Promise.all([page.waitForEvent("download"), metaLink.click()]);
    const metadata = JSON.parse(await readFile((await metaDownload.path()) ?? "", "utf8")) as Record<string, unknown>;
    // Records may have been added since the data file was written (the stack trades all day): the
    // metadata describes the day as of its own writing, so only its shape and name are compared here.
    expect(metadata).toMatchObject({ dataFileName: expect.stringMatching(/\.json\.bz2$/), compression: "bzip2", doneForDay: true });
    expect(Number(metadata.recordCount)).toBeGreaterThanOrEqual(records.length);
    await page.screenshot({ path: screenshotPath("regulatory-cat-metadata.png"), fullPage: true });

    // The quarter's 606(a)(1): the order was routed, so its venue has a row; the readable PDF downloads.
    await report.selectOption("rule606Pdf");
    await section.getByRole("button", { name: "Preview file" }).click();
    await expect(section.getByTestId("regulatory-file")).toHaveText(/^FLMR_606a_\d{4}-Q\d\.pdf$/, { timeout: 20_000 });
    await expect(table).toContainText("SP500", { timeout: 20_000 });
    await section.getByRole("button", { name: "Download PDF" }).click();
    await expect(section.getByRole("link", { name: /^Save FLMR_606a_\d{4}-Q\d\.pdf$/ })).toBeVisible({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath("regulatory-606.png"), fullPage: true });
  });

  test("risk reads trade reports but not the regulatory files (reports:regulatory is compliance's and admin's)", async ({
    browser,
    playwright,
    baseURL,
  }) => {
    const context = await browser.newContext({ storageState: storageStateFor("risk"), baseURL });
    const riskPage = await context.newPage();
    try {
      await riskPage.goto("/reports");
      await expect(riskPage.locator("header .role")).toHaveText("risk", { timeout: 15_000 });
      await expect(riskPage.getByRole("region", { name: "Trade report" })).toBeVisible();
      await expect(riskPage.getByRole("region", { name: "Regulatory" })).toHaveCount(0);
      await riskPage.screenshot({ path: screenshotPath("regulatory-risk-hidden.png"), fullPage: true });
    } finally {
      await context.close();
    }
    const risk = await playwright.request.newContext({ baseURL, storageState: storageStateFor("risk") });
    try {
      const input = encodeURIComponent(JSON.stringify({ kind: "cat", day: "2026-08-03" }));
      const response = await risk.get(`/api/trpc/reports.regulatory.preview?input=${input}`);
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain("role risk lacks permission reports:regulatory");
    } finally {
      await risk.dispose();
    }
  });

  test("a trader is refused the regulatory reports and does not see the section", async ({ browser, playwright, baseURL }) => {
    const context = await browser.newContext({ storageState: storageStateFor("trader"), baseURL });
    const traderPage = await context.newPage();
    try {
      await traderPage.goto("/reports");
      await expect(traderPage.getByText(/Not permitted: reports need audit:read/)).toBeVisible({ timeout: 15_000 });
      await expect(traderPage.getByRole("region", { name: "Regulatory" })).toHaveCount(0);
    } finally {
      await context.close();
    }
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    try {
      const input = encodeURIComponent(JSON.stringify({ kind: "rule605", month: "2026-08" }));
      const response = await trader.get(`/api/trpc/reports.regulatory.preview?input=${input}`);
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain("reports:regulatory");
    } finally {
      await trader.dispose();
    }
  });
});
