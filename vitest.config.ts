import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/**/*.test.ts", "apps/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts"],
    // The FIX tests run QuickFIX acceptors: their own loopback-only stage runs them (scripts/run-tests.ts).
    exclude: ["**/node_modules/**", "e2e/**", "**/.next/**", "apps/engine/test/fix/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
