import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor, uniqueId } from "./helpers";

// The alert centre in the console: a reconciliation break (a statement whose position differs from
// ours) raises a RECON_BREAK alert; the risk user sees the bell count, opens Alerts and acknowledges it.

test.describe("alerts", () => {
  test.use({ storageState: storageStateFor("risk") });

  test("risk sees the bell count on every page, opens Alerts, acknowledges one with a note", async ({ page }) => {
    const source = uniqueId("alerts").slice(0, 60);
    const imported = await page.request.post("/api/trpc/reconciliation.importStatement", {
      data: { source, csv: "account,symbol,quantity\nACC-GAMMA,MSFT,-42\n" },
    });
    expect(imported.status(), await imported.text()).toBe(200);

    await page.goto("/positions");
    const bell = page.getByTestId("alert-bell");
    await expect(bell).toBeVisible();
    await expect(page.getByTestId("alert-count")).toHaveText(/^[1-9]\d*$/, { timeout: 10_000 });
    const before = Number(await page.getByTestId("alert-count").textContent());

    await bell.click();
    await expect(page).toHaveURL(/\/alerts$/);
    await expect(page.getByRole("link", { name: "Alerts", exact: true })).toHaveAttribute("aria-current", "page");
    // The statement's MSFT line for ACC-GAMMA (positions it leaves out are breaks too).
    const row = page.locator("tbody tr", { hasText: `statement:${source} MSFT` }).filter({ hasText: "ACC-GAMMA" });
    await expect(row).toHaveCount(1, { timeout: 10_000 });
    await expect(row).toContainText("RECON_BREAK");
    await expect(row.locator(".sev")).toHaveText("warning");
    await expect(row.locator(".st")).toHaveText("open");
    await page.screenshot({ path: screenshotPath("alerts.png") });

    await row.getByRole("button", { name: "Acknowledge" }).click();
    const dialog = page.getByRole("dialog", { name: "Acknowledge alert" });
    await dialog.getByRole("textbox").fill("checking the statement with the broker");
    await page.screenshot({ path: screenshotPath("alerts-acknowledge.png") });
    await dialog.getByRole("button", { name: "Acknowledge" }).click();
    await expect(dialog).toHaveCount(0);

    // Unresolved (the default filter) still lists it, now acknowledged with who and the note.
    await expect(row.locator(".st")).toHaveText("acknowledged");
    await expect(row).toContainText("risk@");
    await expect(row).toContainText("checking the statement with the broker");
    await expect(row.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
    await expect
      .poll(async () => Number(await page.getByTestId("alert-count").textContent()), { timeout: 10_000 })
      .toBeLessThan(before + 1);

    // The acknowledged filter shows it; the open filter does not.
    await page.getByRole("group", { name: "State" }).getByRole("button", { name: "open", exact: true }).click();
    await expect(row).toHaveCount(0);
    await page.getByRole("group", { name: "State" }).getByRole("button", { name: "acknowledged" }).click();
    await expect(row).toHaveCount(1);
  });

  test("compliance sees alerts read only", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor("compliance"), baseURL: process.env.E2E_BASE_URL });
    const page = await context.newPage();
    await page.goto("/alerts");
    await expect(page.getByText("Read only")).toBeVisible();
    await expect(page.getByRole("button", { name: /^(Acknowledge|Resolve)$/ })).toHaveCount(0);
    const ack = await page.request.post("/api/trpc/alerts.acknowledge", { data: { alertId: "AL-1", note: "" } });
    expect(ack.status()).toBe(403);
    await context.close();
  });
});
