import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** The commit a result measured, and how many files under apps/ and packages/ differed from it. */
export function sourceState(): { commit: string; uncommitted_files: number } {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "apps", "packages"], { cwd: root, encoding: "utf8" });
    return { commit, uncommitted_files: dirty.split("\n").filter(Boolean).length };
  } catch {
    return { commit: "unknown", uncommitted_files: -1 };
  }
}
