import { expect, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor } from "./helpers";

interface Health {
  status: string;
  version: string;
  console: { pid: number; uptimeS: number; engineStream: string };
  engine: { state: string; reachable: boolean; status: string; restarts: number | null; pid: number | null; version: string | null };
  database: { reachable: boolean; latencyMs: number | null; version: string | null };
  journal: { lag: number; committedSeq: number } | null;
  lastCheckpoint: { seq: number; ageS: number } | null;
  venues: { venueId: string; state: string }[];
  launcher: { pid: number } | null;
}

test.describe("System page", () => {
  test.describe("as admin", () => {
    test.use({ storageState: storageStateFor("admin") });

    test("shows every process's health, the journal and the venues, refreshing", async ({ page }) => {
      await openBlotter(page, "admin");
      await expect(page.getByRole("link", { name: "System" })).toHaveAttribute("href", "/system");
      await page.goto("/system");

      const processes = page.getByRole("region", { name: "Processes" });
      // The test runner starts the stack with the launcher's code (scripts/lib/stack.ts): it supervises.
      for (const name of ["launcher", "console", "engine", "database"])
        await expect(processes.locator(`tr[data-process="${name}"]`)).toHaveAttribute("data-state", "running", { timeout: 30_000 });
      await expect(processes.getByText("HEALTHY")).toBeVisible();
      await expect(processes.locator('tr[data-process="engine"]')).toContainText(/live orders · 0 restarts/);
      await expect(processes.locator('tr[data-process="database"]')).toContainText(/Postgres \d+/);
      await expect(page.getByRole("region", { name: "Journal" }).locator('[data-field="journal-lag"]')).toHaveText(/^\d+ events$/);
      await expect(page.getByRole("region", { name: "Venues" }).locator('tr[data-venue-id="SIM-FAST"]')).toBeVisible();

      // Live: the check time moves on without a reload.
      const checked = processes.getByText(/checked \d\d:\d\d:\d\d UTC/);
      const first = await checked.textContent();
      await expect(checked).not.toHaveText(first ?? "", { timeout: 10_000 });
      await page.screenshot({ path: screenshotPath("system.png"), fullPage: true });
    });

    test("system.health answers what the page shows; /healthz the same for monitors, 200 when healthy", async ({ page }) => {
      await openBlotter(page, "admin");
      const trpc = await page.request.get("/api/trpc/system.health");
      expect(trpc.status()).toBe(200);
      const viaApi = ((await trpc.json()) as { result: { data: Health } }).result.data;
      const response = await page.request.get("/healthz");
      expect(response.status()).toBe(200);
      const health = (await response.json()) as Health;
      for (const h of [viaApi, health]) {
        expect(h).toMatchObject({
          status: "ok",
          console: { engineStream: "connected" },
          engine: { state: "running", reachable: true, status: "ok", restarts: 0 },
        });
        expect(h.database.reachable).toBe(true);
        expect(h.journal?.lag).toBeGreaterThanOrEqual(0);
        expect(h.launcher?.pid).toBeGreaterThan(0);
        expect(h.venues.map((v) => v.venueId)).toContain("SIM-FAST");
      }
      expect(health.engine.pid).toBe(viaApi.engine.pid);
    });
  });

  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });

    test("has no System link, and the page and the procedure refuse", async ({ page }) => {
      await openBlotter(page, "trader");
      await expect(page.getByRole("link", { name: "System" })).toHaveCount(0);
      await page.goto("/system");
      await expect(
        page.getByText(/The System page is for admins \(compliance reads it\): role trader lacks permission system:read/),
      ).toBeVisible();
      const refused = await page.request.get("/api/trpc/system.health");
      expect(refused.status()).toBe(403);
    });
  });
});
