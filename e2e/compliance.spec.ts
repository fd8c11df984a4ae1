import { expect, test } from "@playwright/test";
import { blotter, openBlotter, readRows, rowByClOrdId, rows, screenshotPath, storageStateFor, waitLive } from "./helpers";

const order = { accountId: "ACC-ALPHA", symbol: "AAPL", side: "Buy", ordType: "Limit", orderQty: "1", price: "1.00", timeInForce: "DAY" };

test.describe("compliance (read only)", () => {
  test.use({ storageState: storageStateFor("compliance") });
  test("sees the blotter but no ticket and no cancel buttons", async ({ page }) => {
    await openBlotter(page, "compliance");
    await waitLive(page);
    await expect(page.getByRole("form", { name: "Order ticket" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Submit order" })).toHaveCount(0);
    // Wait for working (cancellable) demo orders to be on screen, then check no row offers Cancel.
    await expect(async () => {
      const now = await readRows(page);
      expect(now.length).toBeGreaterThan(3);
      expect(now.some((r) => r.status === "Accepted" || r.status === "PartiallyFilled")).toBe(true);
    }).toPass({ timeout: 30_000 });
    await expect(rows(page).first()).toBeVisible();
    await expect(blotter(page).getByRole("button", { name: /^Cancel / })).toHaveCount(0);
    // The grid's own controls (sorting, column chooser) remain; no row offers an action.
    await expect(blotter(page).getByRole("button", { name: /^(Cancel|Modify)\b/ })).toHaveCount(0);
    await page.screenshot({ path: screenshotPath("blotter-compliance.png"), fullPage: true });
  });

  test("a direct submit from the compliance session is forbidden, naming the permission", async ({ page }) => {
    await openBlotter(page, "compliance");
    const clOrdId = `e2e-compliance-${Date.now().toString(36)}`;
    const response = await page.request.post("/api/trpc/orders.submit", { data: { ...order, clOrdId } });
    expect(response.status()).toBe(403);
    const body = (await response.json()) as { error: { message: string; data?: { code?: string } } };
    expect(body.error.data?.code).toBe("FORBIDDEN");
    expect(body.error.message).toContain("orders:submit");
    expect(body.error.message).toContain("compliance");

    const cancel = await page.request.post("/api/trpc/orders.cancel", { data: { orderId: "does-not-matter" } });
    expect(cancel.status()).toBe(403);
    expect(((await cancel.json()) as { error: { message: string } }).error.message).toContain("orders:cancel");

    // No such order exists: a fresh snapshot does not show it.
    await page.reload();
    await waitLive(page);
    await expect(rowByClOrdId(page, clOrdId)).toHaveCount(0);
  });

  test("an unauthenticated submit gets 401", async ({ playwright, baseURL }) => {
    const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      expect((await anonymous.storageState()).cookies).toEqual([]);
      const response = await anonymous.post("/api/trpc/orders.submit", { data: order });
      expect(response.status()).toBe(401);
      const body = (await response.json()) as { error: { message: string; data?: { code?: string } } };
      expect(body.error.data?.code).toBe("UNAUTHORIZED");
      expect(body.error.message).toMatch(/sign in/);
      const me = await anonymous.get("/api/trpc/session.me");
      expect(me.status()).toBe(401);
    } finally {
      await anonymous.dispose();
    }
  });
});
