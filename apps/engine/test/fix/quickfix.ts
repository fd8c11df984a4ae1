// Runs the QuickFIX example acceptors (Debian's libquickfix-doc) for the FIX adapter tests.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { acceptorSettings, binary, type Program } from "../../../../scripts/lib/quickfix-programs";

export type { Program };

/**
 * QuickFIX acceptors listen on every interface. Refuse to run them unless this process is in a
 * network namespace that has only loopback (scripts/run-tests.ts starts this stage under `unshare -n`).
 */
export function assertLoopbackOnly(): void {
  const names = Object.keys(os.networkInterfaces());
  if (names.some((n) => n !== "lo"))
    throw new Error(
      `FIX tests run QuickFIX acceptors, which listen on all interfaces: run them under unshare -n (found ${names.join(", ")})`,
    );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Acceptor {
  program: Program;
  port: number;
  dir: string;
  storeDir: string;
  output: () => string;
  stop(): Promise<void>;
  /** The acceptor's own store of messages it sent and the numbers it expects (QuickFIX FileStore). */
  seqnums(sender: string, target: string): { nextSender: number; nextTarget: number };
  setNextTarget(sender: string, target: string, next: number): void;
}

export interface AcceptorOptions {
  beginString: "FIX.4.2" | "FIX.4.4";
  /** Acceptor's own CompID, and the client CompIDs it accepts. */
  senderCompId: string;
  clients: string[];
  port?: number;
  dir?: string;
}

export async function startAcceptor(program: Program, options: AcceptorOptions): Promise<Acceptor> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), `fix-${program}-`));
  const port = options.port ?? (await freePort());
  const storeDir = path.join(dir, "store");
  const settings = path.join(dir, "acceptor.cfg");
  writeFileSync(settings, acceptorSettings({ port, storeDir, ...options }));
  let output = "";
  const child: ChildProcess = spawn(binary(program), [settings], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForPort(
    port,
    () => child.exitCode !== null,
    () => output,
  );
  const seqFile = (sender: string, target: string) => path.join(storeDir, `${options.beginString}-${sender}-${target}.seqnums`);
  return {
    program,
    port,
    dir,
    storeDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.stdin?.end("#quit\n");
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(t);
      }
    },
    seqnums(sender, target) {
      const [s = "0", t = "0"] = readFileSync(seqFile(sender, target), "utf8").split(":");
      return { nextSender: Number(s.trim()), nextTarget: Number(t.trim()) };
    },
    setNextTarget(sender, target, next) {
      const [s = "1"] = readFileSync(seqFile(sender, target), "utf8").split(":");
      writeFileSync(seqFile(sender, target), `${s.trim().padStart(10, "0")} : ${String(next).padStart(10, "0")}`);
    },
  };
}

async function waitForPort(port: number, dead: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (dead()) throw new Error(`acceptor exited: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`acceptor did not listen on ${port}: ${output()}`);
}

/**
 * How many times the acceptor executed an order: its own screen log of outgoing ExecutionReports
 * for that ClOrdID, PossDup resends not counted.
 */
export function executions(outputs: readonly string[], clOrdId: string): number {
  let n = 0;
  for (const output of outputs) {
    for (const line of output.split("\n")) {
      const msg = line.replaceAll("\x01", "|");
      if (msg.includes("|35=8|") && msg.includes(`|11=${clOrdId}|`) && !msg.includes("|43=Y|")) n += 1;
    }
  }
  return n;
}
