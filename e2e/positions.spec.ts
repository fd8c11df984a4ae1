import { expect, type Page, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor, uniqueId } from "./helpers";

// The Positions page against the running system: a trader's own fills (in a strategy book of their
// own, so the demo strategy's trades cannot move it) become a position; the method toggle changes
// realized P&L; the detail lists the fills with links to their orders; compliance reads it only.

const ACCOUNT = "ACC-GAMMA";
const SYMBOL = "AAPL";

interface Order {
  orderId: string;
  ordStatus: string;
  avgPx: string;
}

async function trpcGet<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const response = await page.request.get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

/** A market order directed to the simulator, waited for until Filled; its fill price. */
async function fill(page: Page, strategy: string, side: "Buy" | "Sell", orderQty: string): Promise<Order> {
  const response = await page.request.post("/api/trpc/orders.submit", {
    data: {
      clOrdId: uniqueId(`pos-${side}`),
      accountId: ACCOUNT,
      symbol: SYMBOL,
      side,
      ordType: "Market",
      timeInForce: "DAY",
      orderQty,
      venueId: "SIM-FAST",
      strategy,
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  const { orderId } = ((await response.json()) as { result: { data: { order: Order } } }).result.data.order;
  let order: Order | undefined;
  await expect(async () => {
    order = (await trpcGet<{ order: Order }>(page, "orders.get", { orderId })).order;
    expect(order.ordStatus).toBe("Filled");
  }).toPass({ timeout: 20_000 });
  return order as Order;
}

/** The ask, from reference data. */
async function ask(page: Page): Promise<string> {
  const reference = await trpcGet<{ quotes: { symbol: string; ask: string }[] }>(page, "reference.get", undefined);
  return reference.quotes.find((q) => q.symbol === SYMBOL)?.ask ?? "";
}

/** A shown amount ("+1,234.50", "−0.25") as a number. */
const amount = (text: string | null) => Number((text ?? "").replace("−", "-").replaceAll(",", ""));

const realizedCell = (page: Page, key: string) => page.locator(`tr[data-position="${key}"] td[data-column="realized"]`);

test.describe("positions page", () => {
  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });

    test("fills become a position; the method toggle changes realized; the detail lists the fills with links to their orders", async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await openBlotter(page, "trader");

      // Two buys at different prices, then a sell: average cost and FIFO realize different amounts.
      // The quote walks at random and can walk back between the look and the fill: then the pair is
      // bought again in a new book (strategy), at most three times.
      let strategy = "";
      let first: Order | undefined;
      let second: Order | undefined;
      for (let attempt = 0; attempt < 3 && (second === undefined || second.avgPx === first?.avgPx); attempt += 1) {
        strategy = uniqueId("book");
        const bought = await fill(page, strategy, "Buy", "10");
        first = bought;
        await expect(async () => expect(await ask(page)).not.toBe(bought.avgPx)).toPass({ timeout: 30_000 });
        second = await fill(page, strategy, "Buy", "10");
      }
      if (!first || !second) throw new Error("no buys");
      expect(second.avgPx).not.toBe(first.avgPx);
      const key = `${ACCOUNT}|${strategy}|${SYMBOL}`;
      const sell = await fill(page, strategy, "Sell", "5");

      await page.getByRole("link", { name: "Positions" }).click();
      await expect(page).toHaveURL(/\/positions$/);
      await expect(page.getByRole("link", { name: "Positions" })).toHaveAttribute("aria-current", "page");
      const row = page.locator(`tr[data-position="${key}"]`);
      await expect(row).toBeVisible({ timeout: 15_000 });
      await expect(row.locator('td[data-column="qty"]')).toHaveText("15");
      await expect(row.locator("td").nth(1)).toHaveText(SYMBOL);
      await expect(page.locator(`tbody[data-account="${ACCOUNT}"] tr[data-total="${ACCOUNT}"]`)).toBeVisible();
      await expect(page.locator('tfoot tr[data-total="firm"] td[data-column="net"]')).toHaveText(/^[+−]?[\d,]+\.\d\d$/);
      await expect(page.getByRole("region", { name: `Intraday P&L ${ACCOUNT}` })).toBeVisible();

      // The engine's figures for this book, both methods.
      const snapshot = await trpcGet<{
        rows: { strategy: string | null; symbol: string; realizedBy: { avgCost: string; fifo: string } }[];
      }>(page, "positions.snapshot", { accountIds: [ACCOUNT], strategy });
      const figures = snapshot.rows.find((r) => r.symbol === SYMBOL);
      expect(figures).toBeDefined();
      const [p1, p2, s] = [first.avgPx, second.avgPx, sell.avgPx].map(Number) as [number, number, number];
      expect(Number(figures?.realizedBy.avgCost)).toBeCloseTo((s - (p1 + p2) / 2) * 5, 6);
      expect(Number(figures?.realizedBy.fifo)).toBeCloseTo((s - p1) * 5, 6);

      const method = page.getByRole("group", { name: "P&L method" });
      await expect(method.getByRole("button", { name: "Average cost" })).toHaveAttribute("aria-pressed", "true");
      const avgText = await realizedCell(page, key).textContent();
      expect(Math.abs(amount(avgText) - Number(figures?.realizedBy.avgCost))).toBeLessThanOrEqual(0.0051);
      await method.getByRole("button", { name: "FIFO" }).click();
      await expect(method.getByRole("button", { name: "FIFO" })).toHaveAttribute("aria-pressed", "true");
      await expect(realizedCell(page, key)).not.toHaveText(avgText ?? "");
      const fifoText = await realizedCell(page, key).textContent();
      expect(Math.abs(amount(fifoText) - Number(figures?.realizedBy.fifo))).toBeLessThanOrEqual(0.0051);
      await row.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath("positions.png") });

      // The detail: the three fills, each linking to its order.
      await row.getByRole("button", { name: `Fills of ${ACCOUNT} ${strategy} ${SYMBOL}` }).click();
      const detail = page.getByRole("region", { name: "Position detail" });
      await expect(detail).toBeVisible();
      const fills = detail.getByRole("table", { name: "Fills behind the position" }).locator("tbody tr[data-fill]");
      await expect(fills).toHaveCount(3);
      for (const order of [first, second, sell])
        await expect(detail.getByRole("link", { name: order.orderId, exact: true })).toHaveAttribute("href", `/orders/${order.orderId}`);
      await expect(fills.nth(2).locator("td").nth(1)).toHaveText("Sell");
      await expect(detail.locator('[data-field="realized-both"]')).toContainText("/");
      await detail.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath("positions-detail.png") });

      // Live: another fill moves the row and the detail without a reload.
      const more = await fill(page, strategy, "Sell", "5");
      await expect(row.locator('td[data-column="qty"]')).toHaveText("10");
      await expect(fills).toHaveCount(4);
      await detail.getByRole("link", { name: more.orderId, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/orders/${more.orderId}$`));
    });
  });

  test.describe("as compliance", () => {
    test.use({ storageState: storageStateFor("compliance") });

    test("sees positions and totals read only", async ({ page }) => {
      await openBlotter(page, "compliance");
      await page.getByRole("link", { name: "Positions" }).click();
      await expect(page).toHaveURL(/\/positions$/);
      const table = page.getByRole("table", { name: "Positions and P&L" });
      await expect(table.locator("tbody tr[data-position]").first()).toBeVisible({ timeout: 20_000 });
      await expect(page.locator('tfoot tr[data-total="firm"]')).toBeVisible();
      await expect(page.getByText("read only")).toBeVisible();
      // Nothing here changes anything: the only buttons are the method toggle and the rows' fill lists.
      const buttons = await page.getByRole("main").getByRole("button").allTextContents();
      const isView = (label: string) => label === "Average cost" || label === "FIFO" || /^[A-Z0-9.:-]+$/.test(label);
      expect(buttons.filter((b) => !isView(b))).toEqual([]);
      await expect(page.getByRole("form", { name: "Order ticket" })).toHaveCount(0);
      await page.screenshot({ path: screenshotPath("positions-compliance.png") });
    });
  });
});
