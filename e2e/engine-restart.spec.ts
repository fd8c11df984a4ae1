import { type Browser, expect, type Page, test } from "@playwright/test";
import { limitAround, rowByClOrdId, screenshotPath, storageStateFor, submitOrder, waitLive } from "./helpers";

// The engine killed under the launcher (scripts/lib/stack.ts runs the test stack with the launcher's
// supervisor, scripts/lib/supervisor.ts): the launcher restarts it, the blotter says "engine restarting"
// and then reconnects by itself, the System page counts the restart. Kills the engine, so it runs in the
// "outages" project, after every other spec and one file at a time (playwright.config.ts).
test.describe.configure({ mode: "serial" });

interface Health {
  engine: { state: string; reachable: boolean; pid: number | null; restarts: number | null; lastExit: { signal: string | null } | null };
}

async function open(browser: Browser, role: "admin" | "trader"): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStateFor(role) });
  return context.newPage();
}

async function health(page: Page): Promise<Health> {
  const response = await page.request.get("/healthz");
  return (await response.json()) as Health;
}

/** WCAG contrast ratio of an element's text against the first opaque background behind it. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((el) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    let bg: number[] = [255, 255, 255];
    for (let node: Element | null = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) {
        bg = c.slice(0, 3);
        break;
      }
    }
    const [hi, lo] = [luminance(rgb(getComputedStyle(el).color)), luminance(bg)].sort((a, b) => b - a);
    return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
  });
}

test.describe("engine restart under the launcher", () => {
  let admin: Page;
  let trader: Page;

  test.beforeAll(async ({ browser }) => {
    admin = await open(browser, "admin");
    trader = await open(browser, "trader");
  });

  test.afterAll(async () => {
    await admin.context().close();
    await trader.context().close();
  });

  test("the System page's /healthz link is readable (WCAG AA, 4.5:1)", async () => {
    await admin.goto("/system");
    const link = admin.getByRole("region", { name: "Processes" }).getByRole("link", { name: "/healthz" });
    await expect(link).toBeVisible();
    expect(await contrastOf(admin, 'section[aria-label="Processes"] a[href="/healthz"]')).toBeGreaterThanOrEqual(4.5);
  });

  test("a killed engine is restarted: the blotter says engine restarting, reconnects, trading goes on; System counts it", async () => {
    test.setTimeout(120_000);
    const before = await health(admin);
    expect(before.engine).toMatchObject({ state: "running", reachable: true });
    const pid = before.engine.pid;
    const restarts = before.engine.restarts ?? 0;
    expect(pid).toBeGreaterThan(0);

    await admin.goto("/system");
    const engineRow = admin.getByRole("region", { name: "Processes" }).locator('tr[data-process="engine"]');
    await expect(engineRow).toHaveAttribute("data-state", "running");
    await trader.goto("/");
    await waitLive(trader);
    const banner = trader.getByRole("status").filter({ hasText: "Data may be stale" });

    // As an OOM killer or a crash would: no drain, no goodbye.
    process.kill(pid ?? 0, "SIGKILL");

    await expect(banner).toHaveText("Data may be stale: engine restarting", { timeout: 20_000 });
    await trader.screenshot({ path: screenshotPath("engine-restarting.png") });
    // The launcher's count, on the System page while the engine is still down or just back.
    const counted = new RegExp(`${restarts + 1} restarts? · last exit SIGKILL`);
    await expect(engineRow).toContainText(counted, { timeout: 20_000 });

    // Back: the banner goes by itself (no reload), a new order is accepted and shows in the blotter.
    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    await expect(trader.locator(".live-dot")).not.toHaveClass(/stale/);
    const after = await health(admin);
    expect(after.engine).toMatchObject({ state: "running", reachable: true, restarts: restarts + 1, lastExit: { signal: "SIGKILL" } });
    expect(after.engine.pid).not.toBe(pid);
    const price = await limitAround(trader, "AAPL", "Buy", false);
    const clOrdId = await submitOrder(trader, { symbol: "AAPL", side: "Buy", type: "Limit", quantity: "5", price });
    await expect(rowByClOrdId(trader, clOrdId)).toBeVisible({ timeout: 15_000 });

    await expect(engineRow).toHaveAttribute("data-state", "running", { timeout: 20_000 });
    await expect(engineRow).toContainText(counted);
    await admin.screenshot({ path: screenshotPath("system-after-restart.png"), fullPage: true });
  });
});
