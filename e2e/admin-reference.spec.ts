import { expect, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor } from "./helpers";

// The Admin section: venues, instruments and accounts changed in the running system (no restart),
// bad input refused with the field named and nothing added, a venue disabled (draining), the FIX
// demo venue's connection test; risk reads only, traders see no Admin link.

const tag = Date.now().toString(36).toUpperCase();
const REASON = "added by the e2e admin test";

test.describe("Admin: reference data", () => {
  test.describe("as admin", () => {
    test.use({ storageState: storageStateFor("admin") });

    test("venues: a bad row is refused, a new one runs at once and drains when disabled; the FIX venue's connection is tested", async ({
      page,
    }) => {
      await openBlotter(page, "admin");
      // The header's Admin link leads here (navigated by URL: a client-side route load on a busy machine outlasted the wait).
      await expect(page.getByRole("link", { name: "Admin", exact: true })).toHaveAttribute("href", "/admin/venues");
      await page.goto("/admin/venues");
      const table = page.getByRole("region", { name: "Venues" });
      await expect(table.locator('tr[data-venue-id="SIM-FAST"]')).toHaveAttribute("data-state", "running");

      const form = page.getByRole("form", { name: "Venue" });
      const bad = `E2E-BAD-${tag}`;
      await form.getByLabel("Id", { exact: true }).fill(bad);
      await form.getByLabel("Name", { exact: true }).fill("Typed by hand");
      await form.getByRole("combobox", { name: "Kind" }).selectOption("fix");
      await form
        .getByLabel("Config (JSON)")
        .fill(
          JSON.stringify({ host: "127.0.0.1", port: "5442", beginString: "FIX.4.2", senderCompId: "FILLMORE", targetCompId: "ORDERMATCH" }),
        );
      await form.getByLabel("Reason (journaled)").fill(REASON);
      await form.getByRole("button", { name: "Save" }).click();
      await expect(form.getByRole("alert")).toContainText("config.port");
      await page.screenshot({ path: screenshotPath("admin-venues-bad-row.png"), fullPage: true });
      await expect(table.locator(`tr[data-venue-id="${bad}"]`)).toHaveCount(0);

      const id = `E2E-SIM-${tag}`;
      await form.getByLabel("Id", { exact: true }).fill(id);
      await form.getByLabel("Name", { exact: true }).fill("An e2e simulator");
      await form.getByRole("combobox", { name: "Kind" }).selectOption("sim");
      await form.getByLabel("Config (JSON)").fill(JSON.stringify({ latencyMs: 1, feeBps: 6 }));
      await form.getByRole("button", { name: "Save" }).click();
      await expect(form.getByRole("status")).toContainText(`${id} saved: running`);
      const row = table.locator(`tr[data-venue-id="${id}"]`);
      await expect(row).toHaveAttribute("data-state", "running");
      await expect(row).toContainText("yes");

      await row.getByRole("button", { name: "Disable" }).click();
      await page.getByRole("form", { name: "Enable or disable" }).getByLabel("Reason").fill("maintenance in the e2e test");
      await page.getByRole("button", { name: "Confirm" }).click();
      await expect(row).toHaveAttribute("data-state", "draining");
      await expect(row).toContainText("maintenance in the e2e test");

      await table.locator('tr[data-venue-id="FIX-EXEC"]').getByRole("button", { name: "Edit" }).click();
      await form.getByRole("button", { name: "Test connection" }).click();
      const result = page.getByRole("region", { name: "Connection test" });
      await expect(result).toBeVisible({ timeout: 15_000 });
      await expect(result.locator("li").first()).toBeVisible();
      await page.screenshot({ path: screenshotPath("admin-venues.png"), fullPage: true });
    });

    test("instruments and accounts: added and usable at once", async ({ page }) => {
      await page.goto("/admin/instruments");
      const form = page.getByRole("form", { name: "Instrument" });
      const symbol = `E2E${tag}`.slice(0, 24);
      await form.getByLabel("Symbol").fill(symbol);
      await form.getByLabel("Name", { exact: true }).fill("E2E test stock");
      await form.getByLabel("Tick size").fill("-0.01");
      await form.getByLabel("Reference price").fill("10.00");
      await form.getByLabel("Reason (journaled)").fill(REASON);
      await form.getByRole("button", { name: "Save" }).click();
      await expect(form.getByRole("alert")).toContainText("tickSize must be a positive decimal");
      await form.getByLabel("Tick size").fill("0.01");
      await form.getByRole("button", { name: "Save" }).click();
      await expect(form.getByRole("status")).toContainText(`${symbol} saved`);
      await expect(page.locator(`tr[data-symbol="${symbol}"]`)).toContainText("10.00");
      await page.screenshot({ path: screenshotPath("admin-instruments.png"), fullPage: true });

      await page.getByRole("link", { name: "Accounts" }).click();
      const accountForm = page.getByRole("form", { name: "Account" });
      const account = `ACC-E2E-${tag}`;
      await accountForm.getByLabel("Id", { exact: true }).fill(account);
      await accountForm.getByLabel("Name", { exact: true }).fill("E2E fund");
      await accountForm.getByLabel("Reason (journaled)").fill("short");
      await accountForm.getByRole("button", { name: "Save" }).click();
      await expect(accountForm.getByRole("alert")).toContainText("at least 10 characters");
      await accountForm.getByLabel("Reason (journaled)").fill(REASON);
      await accountForm.getByRole("button", { name: "Save" }).click();
      await expect(page.locator(`tr[data-account-id="${account}"]`)).toContainText("E2E fund");
      await page.screenshot({ path: screenshotPath("admin-accounts.png"), fullPage: true });
    });
  });

  test.describe("as risk", () => {
    test.use({ storageState: storageStateFor("risk") });
    test("reads the reference data and cannot change it", async ({ page }) => {
      await page.goto("/admin/venues");
      await expect(page.getByRole("region", { name: "Venues" }).locator('tr[data-venue-id="SIM-FAST"]')).toBeVisible();
      await expect(page.getByText("Read only: changing venues needs the admin role.")).toBeVisible();
      await expect(page.getByRole("form", { name: "Venue" })).toHaveCount(0);
    });
  });

  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });
    test("sees no Admin link and is not shown the data", async ({ page }) => {
      await openBlotter(page, "trader");
      await expect(page.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
      await page.goto("/admin/venues");
      await expect(page.getByText(/Not permitted: reference data is for the risk, compliance and admin roles/)).toBeVisible();
    });
  });
});
