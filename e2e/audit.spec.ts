import { expect, test } from "@playwright/test";
import { screenshotPath, storageStateFor, uniqueId } from "./helpers";

// The audit trail in the console: a trader's order is journaled; compliance finds it by order id,
// reads its history (routing, venue reports), opens an event and verifies the hash chain.

test.describe("audit", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("compliance searches by order id, sees the order's history, opens an event, verifies the chain", async ({
    page,
    playwright,
    baseURL,
  }) => {
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    const clOrdId = uniqueId("audit");
    let orderId: string;
    try {
      const submitted = await trader.post("/api/trpc/orders.submit", {
        data: {
          clOrdId,
          accountId: "ACC-ALPHA",
          symbol: "AAPL",
          side: "Buy",
          ordType: "Market",
          orderQty: "5",
          timeInForce: "DAY",
          strategy: "E2E-AUDIT",
        },
      });
      expect(submitted.status(), await submitted.text()).toBe(200);
      orderId = ((await submitted.json()) as { result: { data: { order: { orderId: string } } } }).result.data.order.orderId;
    } finally {
      await trader.dispose();
    }

    await page.goto("/");
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole("link", { name: "Audit", exact: true })).toHaveAttribute("aria-current", "page");

    await page.getByLabel("Order id", { exact: true }).fill(orderId);
    await page.getByRole("button", { name: "Search" }).click();

    const history = page.getByTestId("order-history");
    await expect(history).toContainText("OrderReceived", { timeout: 10_000 });
    for (const type of ["RouteDecided", "OrderSubmitted", "OrderAccepted"]) await expect(history).toContainText(type);
    await expect(page.getByRole("region", { name: "Order history" })).toContainText(clOrdId);

    const table = page.getByRole("table", { name: "Journal events" });
    const rows = table.locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    const count = await rows.count();
    for (let i = 0; i < count; i++) await expect(rows.nth(i).locator("td").nth(3)).toContainText(orderId);

    // The order's first event, in the drawer as JSON.
    await table.locator("tbody tr", { hasText: "OrderReceived" }).click();
    const drawer = page.getByRole("dialog", { name: /^Event \d+$/ });
    await expect(drawer.getByTestId("event-json")).toContainText(`"clOrdId": "${clOrdId}"`);
    await drawer.getByRole("button", { name: "Close event" }).click();
    await expect(drawer).toHaveCount(0);

    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByTestId("verify-result")).toContainText("Chain intact", { timeout: 30_000 });
    await expect(page.getByTestId("verify-result")).toContainText(/\d[\d,]* events verified/);
    await page.screenshot({ path: screenshotPath("audit.png") });

    // The search result exports too (JSON here), journaled before it can be downloaded.
    await page.getByRole("button", { name: "Export JSON" }).click();
    await expect(page.getByRole("link", { name: /^Download audit-.*\.json$/ })).toBeVisible({ timeout: 30_000 });

    // The book as of the order's fill: that order, as it stood then, marked historical (its fill makes
    // an open position, whose unrealized P&L then is unknown).
    const filledSeq = await table.locator("tbody tr", { hasText: "OrderFilled" }).getAttribute("data-seq");
    await page.getByLabel("or journal seq").fill(filledSeq ?? "1");
    await page.getByRole("button", { name: "Show book" }).click();
    const book = page.getByTestId("book-as-of");
    await expect(book).toContainText(`HISTORICAL · as of event #${filledSeq}`, { timeout: 15_000 });
    // The orders are in the blotter itself (its default columns show the client order id).
    await expect(book.getByRole("table", { name: "Orders as of" })).toContainText(clOrdId);
    // A page of them, from the server, counted.
    await expect(book.getByTestId("book-as-of-page")).toContainText(/^1–\d[\d,]* of \d[\d,]* orders · page 1 of \d+$/);
    // Filtered on the server to the order's account, symbol and state then: it is still there.
    const asOf = page.getByRole("form", { name: "As of" });
    await asOf.getByLabel("Account", { exact: true }).fill("ACC-ALPHA");
    await asOf.getByLabel("Symbol", { exact: true }).fill("AAPL");
    await asOf.getByLabel("Status then").selectOption("Filled");
    await page.getByRole("button", { name: "Show book" }).click();
    await expect(book.getByText("Filtered: account ACC-ALPHA · symbol AAPL · status Filled then")).toBeVisible();
    await expect(book.getByTestId("book-as-of-page")).toHaveAttribute("aria-busy", "false");
    await expect(book.getByRole("table", { name: "Orders as of" })).toContainText(clOrdId);
    // Every page of this book exports too, journaled like every export.
    await book.getByRole("button", { name: "Export book as of CSV" }).click();
    await expect(book.getByRole("link", { name: /^Download asOf-.*\.csv$/ })).toBeVisible({ timeout: 60_000 });
    // The positions in the positions view itself: every account with a position then, no marks then.
    const held = book.getByRole("table", { name: "Positions and P&L" });
    await expect(held.locator("tbody[data-account]").first()).toBeVisible();
    // Unknown for an open position (its mark then is not journaled); a flat one's is 0, which is known.
    const flat = page.locator('td[data-column="qty"]').filter({ hasText: /^-?0(\.0+)?$/ });
    const open = held.locator("tr[data-position]").filter({ hasNot: flat });
    await expect(open.first().locator('td[data-column="unrealized"]')).toHaveText("—");
    await book.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("audit-as-of.png"), fullPage: true });
  });

  test("a trader sees no Audit link and is refused the page's data", async ({ playwright, baseURL }) => {
    const trader = await playwright.request.newContext({ baseURL, storageState: storageStateFor("trader") });
    try {
      const response = await trader.get(`/api/trpc/audit.search?input=${encodeURIComponent(JSON.stringify({ limit: 5 }))}`);
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain("audit:read");
    } finally {
      await trader.dispose();
    }
  });

  test("an unknown route shows the 404 page with the navigation", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "404: no such page" })).toBeVisible();
    await expect(page.getByText("/no-such-page")).toBeVisible();
    await expect(page.locator("header .role")).toHaveText("compliance", { timeout: 15_000 });
    await expect(page.getByRole("link", { name: "Audit", exact: true })).toBeVisible();
    await page.getByRole("link", { name: "Blotter", exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});
