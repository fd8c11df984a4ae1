import { expect, test } from "@playwright/test";
import { blotter, openBlotter, readRows, storageStateFor, waitLive } from "./helpers";

test.describe("risk page, read only", () => {
  test.describe("as compliance", () => {
    test.use({ storageState: storageStateFor("compliance") });

    test("sees limits, trading states and positions, with no controls", async ({ page }) => {
      await openBlotter(page, "compliance");
      // Compliance reads the API keys (users.spec.ts) but administers nothing: no Users page.
      await expect(page.getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
      await page.getByRole("link", { name: "Risk" }).click();
      await expect(page).toHaveURL(/\/risk$/);
      await expect(page.getByRole("link", { name: "Risk" })).toHaveAttribute("aria-current", "page");

      const limits = page.getByRole("region", { name: "Risk limits" });
      for (const header of ["Limit", "Default", "ACC-ALPHA", "ACC-BETA", "ACC-GAMMA"])
        await expect(limits.getByRole("columnheader", { name: header, exact: true })).toBeVisible();
      await expect(limits.locator('tr[data-limit="maxOrderQty"] td[data-scope="default"]')).toHaveText(/^[\d,]+$/);
      await expect(limits.locator('tr[data-limit="restrictedSymbols"]')).toBeVisible();

      const states = page.getByRole("table", { name: "Trading states" });
      await expect(states.locator('tr[data-scope="global"]')).toHaveAttribute("data-state", /^(ACTIVE|REDUCING|HALTED)$/);
      await expect(states.locator('tr[data-scope="account:ACC-GAMMA"]')).toBeVisible();
      await expect(states.locator('tr[data-scope="symbol:AAPL"]')).toBeVisible();

      // Positions come from the demo strategy's fills.
      const positions = page.getByRole("region", { name: "Positions" });
      await expect(positions.locator("tbody tr").first()).toBeVisible({ timeout: 20_000 });
      await expect(positions.locator("tbody tr").first().locator("td").nth(2)).toHaveText(/^[+-]?[\d,]+$/);

      // Read only: no edit form, no kill switch, no state buttons, no buttons at all in the page body.
      await expect(page.getByRole("form", { name: "Edit limit" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: "HALT ALL TRADING" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: /^Set / })).toHaveCount(0);
      await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
      await expect(page.getByText("read only")).toBeVisible();
    });

    test("cannot open a modify: no Modify buttons, and the server refuses one", async ({ page }) => {
      await openBlotter(page, "compliance");
      await waitLive(page);
      await expect(async () => {
        const now = await readRows(page);
        expect(now.some((r) => r.status === "Accepted" || r.status === "PartiallyFilled")).toBe(true);
      }).toPass({ timeout: 30_000 });
      await expect(blotter(page).getByRole("button", { name: /^Modify / })).toHaveCount(0);
      await expect(blotter(page).getByRole("button", { name: "Cancel all…" })).toHaveCount(0);
      await expect(page.getByRole("dialog")).toHaveCount(0);
      const working = (await readRows(page)).find((r) => r.status === "Accepted" || r.status === "PartiallyFilled");
      const response = await page.request.post("/api/trpc/orders.modify", { data: { orderId: working?.orderId, orderQty: "1" } });
      expect(response.status()).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("orders:submit");
    });
  });

  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });
    test("sees the risk page without controls (risk:read only)", async ({ page }) => {
      await page.goto("/risk");
      await expect(page.locator("header .role")).toHaveText("trader", { timeout: 15_000 });
      await expect(page.getByRole("region", { name: "Risk limits" })).toBeVisible();
      await expect(page.getByRole("table", { name: "Trading states" }).locator('tr[data-scope="global"]')).toBeVisible();
      await expect(page.getByRole("form", { name: "Edit limit" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: "HALT ALL TRADING" })).toHaveCount(0);
      const refused = await page.request.post("/api/trpc/risk.tradingState.set", {
        data: { scope: "global", state: "HALTED", reason: "should not work" },
      });
      expect(refused.status()).toBe(403);
    });
  });
});
