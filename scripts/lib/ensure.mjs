// Installs what is missing, with node builtins only (this runs before node_modules exists).
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function run(command, options = {}) {
  console.log(`» ${command}`);
  execSync(command, { cwd: root, stdio: "inherit", env: { ...process.env, ...options.env } });
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

export function ensureNodeModules() {
  const marker = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const stale = !existsSync(marker) || mtime(lock) > mtime(marker) || mtime(path.join(root, "package.json")) > mtime(marker);
  if (stale) run(existsSync(lock) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund");
  const client = path.join(root, "packages/db/src/generated/prisma/client.ts");
  const schema = path.join(root, "packages/db/prisma/schema.prisma");
  if (!existsSync(client) || mtime(schema) > mtime(client)) run("npm run generate -w @fillmore/db");
}

function hasDebianPackage(name) {
  try {
    execSync(`dpkg-query -W -f='\${Status}' ${name} 2>/dev/null | grep -q "install ok installed"`, { stdio: "ignore", shell: "/bin/bash" });
    return true;
  } catch {
    return false;
  }
}

/** Chromium for Playwright and the QuickFIX example peers, from Debian's packages. */
export function ensureSystemPackages(names) {
  const missing = names.filter((n) => !hasDebianPackage(n));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`missing Debian packages: ${missing.join(" ")} (run: sudo apt-get install -y ${missing.join(" ")})`);
    process.exit(1);
  }
  run("apt-get update -qq");
  run(`apt-get install -y -qq --no-install-recommends ${missing.join(" ")}`, { env: { DEBIAN_FRONTEND: "noninteractive" } });
}
