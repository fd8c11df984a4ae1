import { expect, test } from "@playwright/test";
import { blotter, openBlotter, readRows, screenshotPath, storageStateFor, waitLive } from "./helpers";

test.describe("stale data", () => {
  test.use({ storageState: storageStateFor("trader") });
  test("offline: the stale banner floats over an unmoved blotter; online: it clears and the blotter resyncs", async ({ page, context }) => {
    test.setTimeout(90_000);
    await openBlotter(page, "trader");
    await waitLive(page);
    const banner = page.getByRole("status").filter({ hasText: "Data may be stale" });
    await expect(banner).toHaveCount(0);
    // The banner floats over the page: the blotter (its rows, their Cancel buttons) stays where it was,
    // so a click aimed at a row while the banner comes or goes lands on that row.
    const top = async () => (await blotter(page).boundingBox())?.y;
    const topBefore = await top();
    expect(topBefore).toBeDefined();

    await context.setOffline(true);
    await expect(banner).toBeVisible({ timeout: 45_000 });
    expect(await top()).toBe(topBefore);
    await page.screenshot({ path: screenshotPath("stale-banner.png") });
    await expect(page.locator(".live-dot")).toHaveClass(/stale/);
    const whileOffline = new Set((await readRows(page)).map((r) => r.orderId));

    await context.setOffline(false);
    await expect(banner).toHaveCount(0, { timeout: 30_000 });
    expect(await top()).toBe(topBefore);
    await expect(page.locator(".live-dot")).not.toHaveClass(/stale/);
    // Orders the demo strategy placed while we were away (or just after) show up: the snapshot replaced the stale data.
    await expect(async () => {
      const now = await readRows(page);
      expect(now.filter((r) => !whileOffline.has(r.orderId)).length).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
  });
});
