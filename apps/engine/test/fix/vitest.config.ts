import path from "node:path";
import { defineConfig } from "vitest/config";

// The FIX adapter's tests, run by their own stage of scripts/run-tests.ts inside a loopback-only
// network namespace (the QuickFIX acceptors they start listen on every interface).
export default defineConfig({
  root: path.resolve(import.meta.dirname, "../../../.."),
  test: {
    include: ["apps/engine/test/fix/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
