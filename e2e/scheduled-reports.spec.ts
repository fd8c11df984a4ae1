import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor } from "./helpers";

// Scheduled daily reports: the console writes the last session boundary's day when it starts (a run
// missed while it was down), so the Reports page lists that day's trade report (CSV, PDF) and, when the
// journal held events before the boundary, the signed chain digest and its public key. Compliance
// downloads the CSV (its SHA-256 as journaled, also in X-Content-SHA256); a trader is refused.

test.describe("scheduled reports", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("compliance sees the day's scheduled files and downloads one with its journaled SHA-256; a trader may not", async ({
    page,
    playwright,
    baseURL,
  }) => {
    await page.goto("/reports");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    const section = page.getByRole("region", { name: "Scheduled reports" });
    const files = section.getByRole("table", { name: "Scheduled files" });
    await expect(async () => {
      await page.reload();
      await expect(files.getByRole("link", { name: /^trades-\d{4}-\d{2}-\d{2}\.csv$/ }).first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(files.getByRole("link", { name: /^trades-\d{4}-\d{2}-\d{2}\.pdf$/ }).first()).toBeVisible();
    await page.screenshot({ path: screenshotPath("reports-scheduled.png"), fullPage: true });

    // The day's CSV: its bytes hash to the SHA-256 shown (the one journaled), also sent as X-Content-SHA256.
    const csv = files.getByRole("link", { name: /^trades-.*\.csv$/ }).first();
    const [download] = await Promise.all([page.waitForEvent("download"), csv.click()]);
    const file = await readFile((await download.path()) ?? "");
    expect(file.toString("utf8").split("\r\n")[0]).toContain("realizedPnL");
    const sha = createHash("sha256").update(file).digest("hex");
    await expect(files).toContainText(sha.slice(0, 16));

    // A digest exists when the journal held events before the boundary (a fresh stack's may not): it is signed JSON.
    const digestLink = files.getByRole("link", { name: /^chain-digest-.*\.json$/ });
    if ((await digestLink.count()) > 0) {
      const [digestDownload] = await Promise.all([page.waitForEvent("download"), digestLink.first().click()]);
      const digest = JSON.parse((await readFile((await digestDownload.path()) ?? "")).toString("utf8")) as { kind: string; hash: string };
      expect(digest.kind).toBe("fillmore-chain-digest-v1");
      expect(digest.hash).toMatch(/^[0-9a-f]{64}$/);
    }

    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    try {
      const refused = await trader.get((await csv.getAttribute("href")) ?? "");
      expect(refused.status()).toBe(403);
    } finally {
      await trader.dispose();
    }
    const own = await page.request.get((await csv.getAttribute("href")) ?? "");
    expect(own.headers()["x-content-sha256"]).toBe(sha);
  });
});
