import { expect, test } from "@playwright/test";
import { blotter, COL, cell, openBlotter, readRows, rows, storageStateFor, waitLive } from "./helpers";

test.describe("live blotter", () => {
  test.use({ storageState: storageStateFor("trader") });
  test("demo-strategy orders stream in and change status without a reload", async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.evaluate(() => {
      (window as unknown as { __e2eMarker: string }).__e2eMarker = "same document";
    });

    const initial = await readRows(page);
    const initialIds = new Set(initial.map((r) => r.orderId));
    const firstSeen = new Map(initial.map((r) => [r.orderId, r.status]));

    // New rows arrive from the demo strategy (about one order a second).
    await expect(async () => {
      const now = await readRows(page);
      expect(now.filter((r) => !initialIds.has(r.orderId)).length).toBeGreaterThanOrEqual(3);
    }).toPass({ timeout: 20_000 });

    // Some row we have already seen moves on (fills, gets cancelled, ...) and flashes.
    await expect(async () => {
      const now = await readRows(page);
      const changed = now.filter((r) => {
        const before = firstSeen.get(r.orderId);
        if (before === undefined) firstSeen.set(r.orderId, r.status);
        return before !== undefined && before !== r.status;
      });
      expect(changed.length, "rows whose status changed since first seen").toBeGreaterThan(0);
    }).toPass({ timeout: 20_000, intervals: [100, 200, 300] });
    await expect(rows(page).and(page.locator("tr.flash")).first()).toBeAttached({ timeout: 10_000 });

    expect(navigations).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker)).toBe("same document");
  });

  test("filters by symbol and by status narrow the rows", async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
    const section = blotter(page);
    const counter = section.locator(".toolbar .muted");

    // Wait for a mix of symbols and at least one filled AAPL row, so the filters have something to cut.
    await expect(async () => {
      const now = await readRows(page);
      expect(new Set(now.map((r) => r.symbol)).size).toBeGreaterThanOrEqual(3);
      expect(now.some((r) => r.status === "Filled")).toBe(true);
      expect(now.some((r) => r.status !== "Filled")).toBe(true);
      expect(now.some((r) => r.symbol === "AAPL")).toBe(true);
    }).toPass({ timeout: 30_000 });
    const totalBefore = (await readRows(page)).length;

    await section.getByLabel("Filter by symbol").fill("aapl");
    await expect(async () => {
      const now = await readRows(page);
      expect(now.length).toBeGreaterThan(0);
      expect(now.length).toBeLessThan(totalBefore);
      expect(new Set(now.map((r) => r.symbol))).toEqual(new Set(["AAPL"]));
    }).toPass({ timeout: 10_000 });
    await expect(counter).toHaveText(/^(\d+) of (\d+)$/);
    const [shown, total] = ((await counter.textContent()) ?? "").split(" of ").map(Number);
    expect(shown).toBeLessThan(total ?? 0);

    await section.getByLabel("Filter by symbol").fill("");
    await section.getByLabel("Filter by status").selectOption("Filled");
    await expect(async () => {
      const now = await readRows(page);
      expect(now.length).toBeGreaterThan(0);
      expect(new Set(now.map((r) => r.status))).toEqual(new Set(["Filled"]));
      expect(new Set(now.map((r) => r.symbol)).size).toBeGreaterThan(1);
    }).toPass({ timeout: 10_000 });
    // Filled rows show the whole quantity as filled.
    const firstId = (await rows(page).first().getAttribute("data-order-id")) ?? "";
    const first = section.locator(`tbody tr[data-order-id="${firstId}"]`);
    await expect(cell(first, COL.filled)).toHaveText((await cell(first, COL.qty).textContent()) ?? "");
    await expect(cell(first, COL.leaves)).toHaveText("0");

    // Both filters together, then clear them again.
    await section.getByLabel("Filter by symbol").fill("AAPL");
    await expect(async () => {
      const now = await readRows(page);
      for (const r of now) expect([r.symbol, r.status]).toEqual(["AAPL", "Filled"]);
    }).toPass({ timeout: 10_000 });
    await section.getByLabel("Filter by symbol").fill("NO-SUCH-SYMBOL");
    await expect(rows(page)).toHaveCount(0);
    await expect(section.getByText("No orders match.")).toBeVisible();
    await section.getByLabel("Filter by symbol").fill("");
    await section.getByLabel("Filter by status").selectOption("");
    await expect(async () => {
      const now = await readRows(page);
      expect(new Set(now.map((r) => r.status)).size).toBeGreaterThan(1);
    }).toPass({ timeout: 10_000 });
  });
});
