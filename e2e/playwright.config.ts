import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const desktop = { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 } };
const root = path.resolve(import.meta.dirname, "..");
// Specs that change global state: risk limits and the global trading state (risk-controls), the kill switch (controls).
const exclusive = /\/(risk-controls|controls|controls-scoped|controls-breakers|controls-close|controls-unconfirmed)\.spec\.ts$/;
const outages = /\/(venues|engine-restart)\.spec\.ts$/;

export default defineConfig({
  testDir: ".",
  outputDir: path.join(root, ".test-data/playwright-output"),
  fullyParallel: false,
  workers: 2,
  retries: 0,
  // Generous: the suite shares a small machine with the stack it drives.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json"]],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    // Signs in once per role through the form and saves the sessions the specs reuse.
    { name: "setup", testMatch: /auth\.setup\.ts$/, use: { ...desktop } },
    { name: "chromium", testMatch: /\.spec\.ts$/, testIgnore: [exclusive, outages], dependencies: ["setup"], use: { ...desktop } },
    // Specs that change global state (risk limits, the global trading state, the kill switch) run alone,
    // after the rest, and one file at a time (workers: 1): two of them must never halt and resume trading at once.
    { name: "exclusive", testMatch: exclusive, dependencies: ["chromium"], workers: 1, use: { ...desktop } },
    // Venue outages change routing for everyone, and engine-restart kills the engine: alone again, after the
    // risk controls, one file at a time.
    { name: "outages", testMatch: outages, dependencies: ["exclusive"], workers: 1, use: { ...desktop } },
  ],
});
