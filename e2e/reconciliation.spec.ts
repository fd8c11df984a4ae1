import { expect, type Page, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor, uniqueId } from "./helpers";

// The Reconciliation page against the running system: a risk user runs reconciliation, imports a
// broker statement whose quantity differs from our books for one account/symbol, sees the break
// with both views and the difference, marks it investigated with a reason and sees it resolved.
// Compliance reads the same page with no action at all; traders do not have it in the navigation.

// ACC-BETA/SPY: no other spec trades it (the demo strategy may: the test reads our quantity as shown).
const ACCOUNT = "ACC-BETA";
const SYMBOL = "SPY";

/** A statement source name of its own per run: its breaks are "statement:<name>". */
const sourceName = (what: string) => uniqueId(what).replace(/[^A-Za-z0-9._-]/g, "-");

/** A signed quantity as the page shows it: "+1,234", "−20", "0". */
const shown = (n: number) => `${n > 0 ? "+" : n < 0 ? "−" : ""}${Math.abs(n).toLocaleString("en-US")}`;

const breakRow = (page: Page, source: string, symbol: string) =>
  page.locator(`tr[data-source="statement:${source}"][data-account="${ACCOUNT}"][data-symbol="${symbol}"]`);

async function openReconciliation(page: Page, role: "risk" | "compliance") {
  await openBlotter(page, role);
  await page.getByRole("link", { name: "Reconciliation" }).click();
  await expect(page).toHaveURL(/\/reconciliation$/);
  await expect(page.getByRole("link", { name: "Reconciliation" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("table", { name: "Reconciliation breaks" })).toBeVisible();
}

test.describe("reconciliation page", () => {
  test.describe("as risk", () => {
    test.use({ storageState: storageStateFor("risk") });

    test("runs reconciliation, imports a statement with a different quantity, sees the break and marks it investigated", async ({
      page,
    }) => {
      test.setTimeout(120_000);
      const source = sourceName("recon");
      await openReconciliation(page, "risk");

      // Run now: every venue source is compared and listed with its state.
      await page.getByRole("button", { name: "Run now" }).click();
      await expect(page.getByRole("status").filter({ hasText: /^Run at / })).toBeVisible({ timeout: 20_000 });
      await expect(page.getByRole("table", { name: "Reconciliation sources" }).locator("tr[data-source^='venue:']").first()).toBeVisible();

      // Our quantity for the account/symbol (0 when flat); the broker's statement says 250 more.
      const positions = await page.request.get(
        `/api/trpc/positions.snapshot?input=${encodeURIComponent(JSON.stringify({ accountIds: [ACCOUNT] }))}`,
      );
      expect(positions.status()).toBe(200);
      const rows = ((await positions.json()) as { result: { data: { rows: { symbol: string; qty: string }[] } } }).result.data.rows;
      const ours = rows.filter((r) => r.symbol === SYMBOL).reduce((sum, r) => sum + Number(r.qty), 0);
      const theirs = ours + 250;

      // The statement: a file read in the browser, the default column mapping shown.
      const form = page.getByRole("form", { name: "Import a broker statement" });
      await expect(form.getByLabel("Account column")).toHaveValue("account");
      await expect(form.getByLabel("Symbol column")).toHaveValue("symbol");
      await expect(form.getByLabel("Quantity column")).toHaveValue("quantity");
      await form.getByLabel("Source name").fill(source);
      await form.getByLabel("Statement file").setInputFiles({
        name: "broker-eod.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(`account,symbol,quantity\n${ACCOUNT},${SYMBOL},${theirs}\n`),
      });
      await expect(form.getByLabel("Statement rows")).toHaveValue(new RegExp(`${ACCOUNT},${SYMBOL},${theirs}`));
      await form.getByRole("button", { name: "Import and compare" }).click();
      await expect(form.getByRole("status")).toContainText(`statement:${source}: 1 position row compared`, { timeout: 20_000 });

      // The break, live in the list: both views, the difference, a suggested cause, open.
      const row = breakRow(page, source, SYMBOL);
      await expect(row).toBeVisible({ timeout: 10_000 });
      await expect(row).toHaveAttribute("data-status", "open");
      const cells = row.locator("td");
      await expect(cells.nth(1)).toHaveText(ACCOUNT);
      await expect(cells.nth(3)).toHaveText(`${source} statement`);
      await expect(cells.nth(5)).toHaveText(shown(theirs));
      // The difference is theirs − ours as the engine compared them (the demo strategy may have traded since we looked).
      const shownOurs = Number(((await cells.nth(4).textContent()) ?? "").replace("−", "-").replaceAll(",", "").replace("+", ""));
      await expect(cells.nth(6)).toHaveText(shown(theirs - shownOurs));
      // Nothing of ours to compare with: no trade or ratio explains it.
      if (shownOurs === 0) await expect(cells.nth(7)).toContainText("Unexplained");
      await expect(cells.nth(9)).toHaveText("open");
      const breakId = (await row.getAttribute("data-break")) ?? "";
      expect(breakId).toMatch(/^BRK-\d+$/);
      await row.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath("reconciliation.png") });

      // Resolve: a reason is required; mark it investigated.
      await row.getByRole("button", { name: `Resolve ${breakId}` }).click();
      const dialog = page.getByRole("dialog", { name: `Resolve ${breakId}` });
      await expect(dialog).toBeVisible();
      await dialog.getByRole("radio", { name: /Mark investigated/ }).check();
      await dialog.getByRole("button", { name: "Resolve" }).click();
      await expect(dialog.getByRole("alert")).toHaveText("reason: say why");
      // Adopting asks for a real sentence: 10 characters or more.
      await dialog.getByRole("radio", { name: /Adopt the broker's view/ }).check();
      await dialog.getByLabel(/Reason/).fill("short");
      await dialog.getByRole("button", { name: "Resolve" }).click();
      await expect(dialog.getByRole("alert")).toHaveText("reason: at least 10 characters saying why");
      await dialog.getByRole("radio", { name: /Mark investigated/ }).check();
      const note = "Broker's SPY line is a transfer in, booked by them only; ticket BO-4711";
      await dialog.getByLabel(/Reason/).fill(note);
      await page.screenshot({ path: screenshotPath("reconciliation-resolve.png") });
      await dialog.getByRole("button", { name: "Resolve" }).click();
      await expect(dialog).toBeHidden();

      // Resolved: gone from the open list, listed under All as investigated with the note.
      await expect(page.locator(`tr[data-break="${breakId}"]`)).toHaveCount(0);
      await page.getByRole("button", { name: /^All/ }).click();
      const resolved = page.locator(`tr[data-break="${breakId}"]`);
      await expect(resolved).toHaveAttribute("data-status", "investigated");
      await expect(resolved.locator("td").nth(9)).toContainText("investigated");
      await expect(resolved.locator("td").nth(9)).toContainText(note);
      await expect(resolved.getByRole("button", { name: `Resolve ${breakId}` })).toHaveCount(0);
    });
  });

  test.describe("as compliance", () => {
    test.use({ storageState: storageStateFor("compliance") });

    test("sees breaks and sources read only: no run, no import, no resolve, no settle", async ({ page, browser }) => {
      // A break of its own to look at, made by a risk user through the API.
      const source = sourceName("recon-ro");
      const risk = await browser.newContext({ storageState: storageStateFor("risk"), baseURL: process.env.E2E_BASE_URL });
      const imported = await risk.request.post("/api/trpc/reconciliation.importStatement", {
        data: { source, csv: `account,symbol,quantity\n${ACCOUNT},NVDA,-75\n` },
      });
      expect(imported.status(), await imported.text()).toBe(200);
      await risk.close();

      await openReconciliation(page, "compliance");
      const row = breakRow(page, source, "NVDA");
      await expect(row).toBeVisible({ timeout: 10_000 });
      await expect(row).toHaveAttribute("data-status", "open");
      await expect(page.getByText("read only")).toBeVisible();
      // The only buttons are the Open/All filter and the header's sign out.
      await expect(page.getByRole("button", { name: /Run now|Resolve|Import|Adopt|Cancelled|Settle/ })).toHaveCount(0);
      await expect(page.getByRole("form", { name: "Import a broker statement" })).toHaveCount(0);
      await expect(page.locator("main").getByRole("button")).toHaveText(["Open", /^All/]);
      await page.screenshot({ path: screenshotPath("reconciliation-compliance.png") });
    });
  });

  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });

    test("has no Reconciliation link", async ({ page }) => {
      await openBlotter(page, "trader");
      await expect(page.getByRole("link", { name: "Positions" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Reconciliation" })).toHaveCount(0);
    });
  });
});
