// The demo's FIX venue: QuickFIX executor (Debian's libquickfix-doc), started by scripts/lib/fix-demo.ts
// inside a network namespace of its own that has only loopback (`unshare -n`). QuickFIX listens on
// every interface; here that is this namespace's loopback and nothing else. The engine, outside,
// reaches it through a Unix socket, a file both namespaces see, relayed here to the acceptor.
//
// Usage: node --import tsx scripts/fix-demo-venue.ts <dir> <socket path>   (prints "ready" when listening)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { acceptorSettings, binary } from "./lib/quickfix-programs";

const [dir, socketArg] = process.argv.slice(2);
if (!dir || !socketArg) throw new Error("usage: fix-demo-venue.ts <dir> <socket path>");
const socketPath: string = socketArg;
const PORT = 5001; // nothing else lives in this namespace
mkdirSync(dir, { recursive: true });
const settings = path.join(dir, "executor.cfg");
writeFileSync(
  settings,
  acceptorSettings({
    port: PORT,
    storeDir: path.join(dir, "store"),
    beginString: "FIX.4.4",
    senderCompId: "EXECUTOR",
    clients: ["FILLMORE"],
  }),
);
const executor = spawn(binary("executor"), [settings], { cwd: dir, stdio: ["pipe", "ignore", "inherit"] });
executor.once("exit", (code, signal) => {
  console.error(`fix-demo-venue: executor exited (${code ?? signal})`);
  process.exit(1);
});

async function listening(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port: PORT }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("executor did not listen");
}

await listening();
if (existsSync(socketPath)) rmSync(socketPath);
const relay = net.createServer((client) => {
  const upstream = net.connect({ host: "127.0.0.1", port: PORT });
  upstream.setNoDelay(true);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);
});
relay.listen(socketPath, () => console.log("ready"));

function stop(): void {
  executor.removeAllListeners("exit");
  executor.stdin?.end("#quit\n");
  executor.kill("SIGTERM");
  relay.close();
  rmSync(socketPath, { force: true });
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
