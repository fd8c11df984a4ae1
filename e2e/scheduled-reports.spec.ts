import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor } from "./helpers";

// Scheduled daily reports: the console writes the last session boundary's day when it starts (a run
// missed while it was down), so the Reports page lists that day's trade report (CSV, PDF), the signed
// chain digest and its public key. Compliance downloads the digest (the SHA-256 journaled for it comes
// back in X-Content-SHA256); a trader is refused.

test.describe("scheduled reports", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("compliance sees the day's scheduled files and downloads the signed digest; a trader may not", async ({
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
      await expect(files.getByRole("link", { name: /^chain-digest-\d{4}-\d{2}-\d{2}\.json$/ })).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(files.getByRole("link", { name: /^trades-\d{4}-\d{2}-\d{2}\.csv$/ }).first()).toBeVisible();
    await expect(files.getByRole("link", { name: /^trades-\d{4}-\d{2}-\d{2}\.pdf$/ }).first()).toBeVisible();
    await expect(files.getByRole("link", { name: "digest-public-key.pem" }).first()).toBeVisible();
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("reports-scheduled.png"), fullPage: true });

    const link = files.getByRole("link", { name: /^chain-digest-.*\.json$/ }).first();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = await readFile((await download.path()) ?? "");
    const digest = JSON.parse(file.toString("utf8")) as { kind: string; seq: number; hash: string; signature: string };
    expect(digest.kind).toBe("fillmore-chain-digest-v1");
    expect(digest.hash).toMatch(/^[0-9a-f]{64}$/);
    const sha = createHash("sha256").update(file).digest("hex");
    await expect(files).toContainText(sha.slice(0, 16));

    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    try {
      const href = (await link.getAttribute("href")) ?? "";
      const refused = await trader.get(href);
      expect(refused.status()).toBe(403);
    } finally {
      await trader.dispose();
    }
  });
});
