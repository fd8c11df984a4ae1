import { expect, type Page, test } from "@playwright/test";
import {
  blotter,
  COL,
  cell,
  focusRow,
  openBlotter,
  quoteOf,
  readRows,
  rowByClOrdId,
  rows,
  screenshotPath,
  storageStateFor,
  submitOrder,
  uniqueId,
  waitLive,
} from "./helpers";

const onTick = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

function scroller(page: Page) {
  return blotter(page).getByTestId("blotter-scroll");
}

function header(page: Page, label: string) {
  return blotter(page).getByRole("columnheader", { name: label, exact: true });
}

/** Submits through the public tRPC route with the page's session (faster than the ticket for many orders). */
async function submitMany(page: Page, prefix: string, count: number, strategy?: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < ids.length; i += 8) {
    const answers = await Promise.all(
      ids.slice(i, i + 8).map((clOrdId, j) =>
        page.request.post("/api/trpc/orders.submit", {
          data: {
            clOrdId,
            accountId: "ACC-GAMMA",
            symbol: "SPY",
            side: (i + j) % 2 === 0 ? "Buy" : "Sell",
            ordType: "Market",
            orderQty: "1",
            ...(strategy ? { strategy } : {}),
          },
        }),
      ),
    );
    for (const a of answers) expect(a.status(), await a.text()).toBe(200);
  }
  return ids;
}

test.describe("blotter grid: columns, sorting, held stops, virtual rows", () => {
  test.use({ storageState: storageStateFor("trader") });
  test.beforeEach(async ({ page }) => {
    await openBlotter(page, "trader");
    await waitLive(page);
  });

  test("the column chooser adds and removes columns and remembers them after a reload", async ({ page }) => {
    const section = blotter(page);
    await expect(header(page, "Stop Px")).toBeVisible();
    await expect(header(page, "Strategy")).toHaveCount(0);
    const [id] = await submitMany(page, uniqueId("cols"), 1, "grid-e2e");
    await expect(rowByClOrdId(page, id ?? "")).toHaveAttribute("data-status", "Filled", { timeout: 15_000 });

    await section.getByRole("button", { name: "Columns" }).click();
    const menu = section.getByRole("group", { name: "Choose columns" });
    for (const label of ["Strategy", "Text", "Last Px", "Last Qty"]) await menu.getByLabel(label, { exact: true }).check();
    await menu.getByLabel("Account", { exact: true }).uncheck();
    await expect(menu.getByLabel("ClOrdID", { exact: true })).toBeDisabled();
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);

    for (const label of ["Strategy", "Text", "Last Px", "Last Qty"]) await expect(header(page, label)).toBeVisible();
    await expect(header(page, "Account")).toHaveCount(0);
    const row = rowByClOrdId(page, id ?? "");
    const labels = await section.locator("thead th").evaluateAll((ths) => ths.map((th) => th.textContent?.replace(/[▲▼]/g, "").trim()));
    await expect(row.locator("td").nth(labels.indexOf("Strategy"))).toHaveText("grid-e2e");
    // The fill seen live gives the last fill: 1 at a price.
    await expect(row.locator("td").nth(labels.indexOf("Last Qty"))).toHaveText("1");
    await expect(row.locator("td").nth(labels.indexOf("Last Px"))).toHaveText(/^\d+\.\d{2}$/);
    await page.screenshot({ path: screenshotPath("blotter-columns.png") });

    await page.reload();
    await waitLive(page);
    await expect(header(page, "Strategy")).toBeVisible();
    await expect(header(page, "Account")).toHaveCount(0);

    await section.getByRole("button", { name: "Columns" }).click();
    await section.getByRole("button", { name: "Default columns" }).click();
    await expect(header(page, "Account")).toBeVisible();
    await expect(header(page, "Strategy")).toHaveCount(0);
  });

  test("clicking a header sorts by it, again reverses; Time sorts newest first", async ({ page }) => {
    await expect(async () => expect(new Set((await readRows(page)).map((r) => r.symbol)).size).toBeGreaterThanOrEqual(3)).toPass({
      timeout: 30_000,
    });
    await expect(header(page, "Time")).toHaveAttribute("aria-sort", "descending");
    const times = await rows(page).evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[0]?.textContent ?? ""));
    expect(times).toEqual([...times].sort().reverse());

    await header(page, "Symbol").getByRole("button").click();
    await expect(header(page, "Symbol")).toHaveAttribute("aria-sort", "ascending");
    await expect(header(page, "Time")).toHaveAttribute("aria-sort", "none");
    const up = (await readRows(page)).map((r) => r.symbol);
    expect(up).toEqual([...up].sort());

    await header(page, "Symbol").getByRole("button").click();
    await expect(header(page, "Symbol")).toHaveAttribute("aria-sort", "descending");
    const down = (await readRows(page)).map((r) => r.symbol);
    expect(down).toEqual([...down].sort().reverse());
    await page.screenshot({ path: screenshotPath("blotter-sorted.png") });

    await header(page, "Qty").getByRole("button").click();
    await expect(header(page, "Qty")).toHaveAttribute("aria-sort", "ascending");
    const qty = await rows(page).evaluateAll((trs) =>
      trs.map((tr) => Number((tr as HTMLTableRowElement).cells[6]?.textContent?.replace(/,/g, ""))),
    );
    expect(qty).toEqual([...qty].sort((a, b) => a - b));

    await header(page, "Time").getByRole("button").click();
    await expect(header(page, "Time")).toHaveAttribute("aria-sort", "descending");
  });

  test("a held stop shows Held, its stop price and the engine as where it waits", async ({ page }) => {
    const { ask } = await quoteOf(page, "MSFT");
    const stopPx = onTick(ask * 1.08);
    const clOrdId = uniqueId("held");
    await submitOrder(page, { symbol: "MSFT", side: "Buy", type: "Stop", quantity: "5", stopPx, clOrdId });
    const row = await focusRow(page, clOrdId);
    await expect(row).toHaveAttribute("data-held", "true", { timeout: 10_000 });
    await expect(row).toHaveAttribute("data-status", "Validated");
    await expect(cell(row, COL.status)).toHaveText("Held");
    await expect(cell(row, COL.venue)).toHaveText("engine");
    await expect(cell(row, COL.limitPx)).toHaveText("—");
    await expect(cell(row, 14)).toHaveText(stopPx);
    await expect(header(page, "Stop Px")).toBeVisible();
    await page.screenshot({ path: screenshotPath("blotter-held-stop.png") });
    await row.getByRole("button", { name: `Cancel ${clOrdId}` }).click();
    await expect(row).toHaveAttribute("data-status", "Cancelled", { timeout: 10_000 });
    await expect(cell(row, COL.status)).toHaveText("Cancelled");
    await expect(row).not.toHaveAttribute("data-held", "true");
  });

  test("more than 300 orders: all reachable by scrolling, only the visible rows in the page", async ({ page }) => {
    test.setTimeout(120_000);
    const ids = await submitMany(page, uniqueId("many"), 320);
    const counter = blotter(page).locator(".toolbar .muted");
    await expect(async () => {
      const [shown] = ((await counter.textContent()) ?? "").split(" of ").map(Number);
      expect(shown).toBeGreaterThan(320);
    }).toPass({ timeout: 30_000 });
    const inPage = await rows(page).count();
    expect(inPage, "rows in the document (virtualised)").toBeLessThan(120);
    expect(inPage).toBeGreaterThan(10);

    // The first of ours is at least 319 rows down; scroll a screen at a time until it shows.
    const first = rowByClOrdId(page, ids[0] ?? "");
    await expect(first).toHaveCount(0);
    for (let i = 0; i < 100 && (await first.count()) === 0; i += 1) {
      await scroller(page).evaluate((el) => el.scrollBy({ top: el.clientHeight * 0.8 }));
      await page.waitForTimeout(50);
    }
    await expect(first).toBeVisible();
    // Rendered is not yet in view (the grid renders a few rows past the edge): bring it in, then the
    // view's bottom edge is past the 319 rows above it (27 px each), whatever the view's height.
    await first.scrollIntoViewIfNeeded();
    const view = await scroller(page).evaluate((el) => ({ top: el.scrollTop, height: el.clientHeight }));
    expect(view.top + view.height).toBeGreaterThan(319 * 27);
    expect(await rows(page).count()).toBeLessThan(120);
    await page.screenshot({ path: screenshotPath("blotter-scrolled.png") });
    // Scrolled down, the rows stay put while the demo strategy's new orders arrive on top.
    const before = (await first.boundingBox())?.y ?? 0;
    const totalBefore = await counter.textContent();
    await expect(counter).not.toHaveText(totalBefore ?? "", { timeout: 10_000 });
    await page.waitForTimeout(300);
    expect(Math.abs(((await first.boundingBox())?.y ?? 0) - before)).toBeLessThan(2);

    // And to the very bottom: the oldest order in the browser.
    await expect(async () => {
      await scroller(page).evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForTimeout(100);
      const all = await readRows(page);
      expect(all.length).toBeGreaterThan(0);
      const bottom = await scroller(page).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      expect(bottom).toBeLessThan(2);
    }).toPass({ timeout: 5_000 });
  });

  test("at 1440×900 the sticky actions column covers no data", async ({ page }) => {
    const viewport = page.viewportSize();
    expect(viewport).toEqual({ width: 1440, height: 900 });
    const box = async (label: string) => (await header(page, label).boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };
    const actions = async () => (await blotter(page).locator("thead th.actions").boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };
    // Default columns: the table fits, no sideways scrolling, the last data column ends where actions begin
    // (1 px of sub-pixel rounding allowed). Measured in one go once the page has settled (rows loaded,
    // scrollbars shown), so that the figures belong to one layout; a failure says what it saw.
    await expect(async () => {
      const layout = await scroller(page).evaluate((el) => {
        const th = (selector: string) => el.querySelector(selector)?.getBoundingClientRect();
        const stopPx = [...el.querySelectorAll("thead th")].find((h) => h.textContent?.trim() === "Stop Px")?.getBoundingClientRect();
        return {
          overflow: el.scrollWidth - el.clientWidth,
          clientWidth: el.clientWidth,
          tableWidth: el.querySelector("table")?.getBoundingClientRect().width,
          stopEnd: stopPx ? stopPx.x + stopPx.width : Number.NaN,
          actionsStart: th("thead th.actions")?.x ?? Number.NaN,
        };
      });
      expect(layout.overflow, JSON.stringify(layout)).toBeLessThanOrEqual(1);
      expect(layout.stopEnd, JSON.stringify(layout)).toBeLessThanOrEqual(layout.actionsStart + 0.5);
    }).toPass({ timeout: 5_000 });
    await page.screenshot({ path: screenshotPath("blotter-grid.png") });

    // Every column on: wider than the card; scrolled to the end, the last column is clear of the actions.
    await blotter(page).getByRole("button", { name: "Columns" }).click();
    const menu = blotter(page).getByRole("group", { name: "Choose columns" });
    for (const label of ["Last Px", "Last Qty", "Strategy", "Text", "Updated", "Order ID"])
      await menu.getByLabel(label, { exact: true }).check();
    await page.keyboard.press("Escape");
    expect(await scroller(page).evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(0);
    await scroller(page).evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expect(async () => {
      const last = await box("Order ID");
      expect(last.x + last.width).toBeLessThanOrEqual((await actions()).x + 0.5);
    }).toPass({ timeout: 5_000 });
    await page.screenshot({ path: screenshotPath("blotter-all-columns.png") });
  });
});
