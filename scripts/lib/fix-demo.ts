import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { programAvailable } from "./quickfix-programs";

export interface FixDemoVenue {
  /** The venue row's config: a FIX 4.4 session to the executor over the relay's Unix socket. */
  config: Record<string, unknown>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "../..");

function missing(): string | undefined {
  if (process.platform !== "linux") return "needs Linux network namespaces";
  if (!programAvailable("executor")) return "QuickFIX executor is not installed (apt-get install libquickfix-doc)";
  try {
    execFileSync("unshare", ["--version"], { stdio: "ignore" });
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "unshare or ip is missing (util-linux, iproute2)";
  }
  return undefined;
}

/**
 * Starts QuickFIX executor in a loopback-only network namespace (see scripts/fix-demo-venue.ts) and
 * returns the venue config that reaches it, or the reason it cannot run here.
 */
export async function startFixDemoVenue(dataDir: string): Promise<FixDemoVenue | { unavailable: string }> {
  const why = missing();
  if (why) return { unavailable: why };
  const dir = path.join(dataDir, "fix-demo");
  const socketPath = path.join(dir, "executor.sock");
  const unshare = process.getuid?.() === 0 ? ["-n"] : ["-r", "-n"];
  const inner = `ip link set lo up && exec '${process.execPath}' --import tsx scripts/fix-demo-venue.ts '${dir}' '${socketPath}'`;
  const child: ChildProcess = spawn("unshare", [...unshare, "--", "bash", "-c", inner], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    child.kill("SIGKILL");
    return { unavailable: `the acceptor did not start: ${output.trim().slice(-300) || "no output"}` };
  }
  return {
    config: {
      socketPath,
      beginString: "FIX.4.4",
      senderCompId: "FILLMORE",
      targetCompId: "EXECUTOR",
      heartBtInt: 10,
      storeDir: path.join(dataDir, "fix-store", "FIX-EXEC"),
      reconnectMs: 1000,
      ordTypes: ["Limit"],
      timeInForces: ["DAY"],
      // Dearer than the simulated venues, so the default lowest-cost router picks it only when directed.
      feeBps: 5,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
