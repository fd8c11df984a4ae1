// One child process the launcher looks after: started and waited for until it serves, restarted
// with backoff when it exits unexpectedly, given up on past the restart limit (restart-policy.ts).
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { RestartBudget, type RestartPolicy } from "./restart-policy";

export type ProcessState = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

export interface ProcessStatus {
  name: string;
  state: ProcessState;
  pid: number | null;
  /** Restarts since the launcher started, counted when each is decided (the exit), before the new process serves. */
  restarts: number;
  /** When the current process started serving (ISO), null when none is. */
  runningSince: string | null;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** Why the launcher gave up on it (state `failed`). */
  reason?: string;
}

export interface SupervisedOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Polled until it answers 2xx: the process serves. */
  readyUrl: string;
  readyTimeoutMs?: number;
  policy: RestartPolicy;
  /** `inherit`: the child's output goes to the launcher's; either way its last lines are kept for errors. */
  output: "inherit" | "ignore";
  /** Each line the child writes (tests read the logs). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  log: (line: string) => void;
  /** SIGTERM, then SIGKILL after this long. */
  stopTimeoutMs?: number;
  onChange?: (status: ProcessStatus) => void;
  /** The restart limit was reached: the launcher should stop everything and exit non-zero. */
  onGiveUp?: (reason: string) => void;
}

/** The process exited, or never answered, before it served. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly lastLines: string[],
  ) {
    super(lastLines.length ? `${message}; its last output:\n${lastLines.map((l) => `    ${l}`).join("\n")}` : message);
    this.name = "StartupError";
  }
}

const TAIL_LINES = 20;

/** The last lines a child wrote, stderr kept apart (what a crash usually prints). */
class OutputTail {
  readonly stderr: string[] = [];
  readonly all: string[] = [];

  constructor(private readonly onLine?: SupervisedOptions["onLine"]) {}

  follow(stream: Readable | null, to: Writable | undefined, isStderr: boolean): void {
    let partial = "";
    stream?.on("data", (chunk: Buffer) => {
      to?.write(chunk);
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.push(line, isStderr);
    });
    stream?.on("end", () => {
      if (partial) this.push(partial, isStderr);
      partial = "";
    });
  }

  /** stderr's last lines when it wrote any, else the last of everything. */
  last(n = 12): string[] {
    return (this.stderr.length ? this.stderr : this.all).slice(-n);
  }

  private push(line: string, isStderr: boolean): void {
    if (!line.trim()) return;
    this.onLine?.(line, isStderr ? "stderr" : "stdout");
    for (const list of isStderr ? [this.stderr, this.all] : [this.all]) {
      list.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (list.length > TAIL_LINES) list.shift();
    }
  }
}

export class SupervisedProcess {
  child: ChildProcess | undefined;
  private state: ProcessState = "stopped";
  private restarts = 0;
  private runningSince: string | null = null;
  private lastExit: ProcessStatus["lastExit"] = null;
  private reason: string | undefined;
  private stopping = false;
  private readonly budget: RestartBudget;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SupervisedOptions) {
    this.budget = new RestartBudget(options.policy);
  }

  status(): ProcessStatus {
    return {
      name: this.options.name,
      state: this.state,
      pid: this.child?.exitCode === null && this.child.signalCode === null ? (this.child.pid ?? null) : null,
      restarts: this.restarts,
      runningSince: this.runningSince,
      lastExit: this.lastExit,
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }

  /** The first start: resolves once it serves; a process that exits first fails this at once (StartupError). */
  async start(): Promise<void> {
    this.set("starting");
    try {
      await this.launch();
    } catch (error) {
      this.reason = error instanceof Error ? error.message : String(error);
      this.set("failed");
      throw error;
    }
  }

  /** SIGTERM and wait for it to exit (SIGKILL after the stop timeout); no restart from here on. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const child = this.child;
    if (this.state !== "failed") this.set("stopping");
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.options.log(`${this.options.name} did not stop within ${this.options.stopTimeoutMs ?? 15_000} ms; killing it`);
          child.kill("SIGKILL");
        }, this.options.stopTimeoutMs ?? 15_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      });
    }
    if (this.state !== "failed") this.set("stopped");
  }

  private set(state: ProcessState): void {
    this.state = state;
    if (state !== "running") this.runningSince = null;
    this.options.onChange?.(this.status());
  }

  /** Spawns the process and waits until it serves. */
  private async launch(): Promise<void> {
    const { command, args, cwd, env, output } = this.options;
    // The launcher's process group: `npm start` runs the launcher in a group of its own (hand-over.mjs), so a
    // terminal's Ctrl-C reaches the launcher only, which stops the children in order. Not a group per child:
    // a caller without that (scripts/run-tests.ts) still has its children stopped by a Ctrl-C.
    const child = spawn(command, [...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const tail = new OutputTail(this.options.onLine);
    tail.follow(child.stdout, output === "inherit" ? process.stdout : undefined, false);
    tail.follow(child.stderr, output === "inherit" ? process.stderr : undefined, true);
    child.once("exit", (code, signal) => this.exited(child, code, signal));
    await this.waitReady(child, tail);
    this.runningSince = new Date().toISOString();
    this.set("running");
  }

  private async waitReady(child: ChildProcess, tail: OutputTail): Promise<void> {
    const { name, readyUrl, readyTimeoutMs = 90_000 } = this.options;
    const deadline = Date.now() + readyTimeoutMs;
    const exited = new Promise<never>((_, reject) => {
      const fail = (code: number | null, signal: NodeJS.Signals | null) =>
        // Let the last output drain before quoting it.
        setTimeout(() => reject(new StartupError(`${name} exited during start-up (${describeExit(code, signal)})`, tail.last())), 50);
      if (child.exitCode !== null || child.signalCode !== null) fail(child.exitCode, child.signalCode);
      else child.once("exit", fail);
    });
    exited.catch(() => undefined);
    const poll = async (): Promise<void> => {
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null || this.stopping) return;
        try {
          const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
          await response.body?.cancel();
          if (response.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGKILL");
      throw new StartupError(`${name} did not answer ${readyUrl} within ${readyTimeoutMs} ms`, tail.last());
    };
    await Promise.race([poll(), exited]);
    if (this.stopping) throw new Error(`${name}: start cancelled (stopping)`);
    if (child.exitCode !== null || child.signalCode !== null) await exited;
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.lastExit = { code, signal, at: new Date().toISOString() };
    // Exits while starting are the start's to report; stops are expected.
    if (child !== this.child || this.stopping || this.state !== "running") return;
    this.options.log(`${this.options.name} exited unexpectedly (${describeExit(code, signal)})`);
    void this.restart();
  }

  private async restart(): Promise<void> {
    const { name, log, policy } = this.options;
    for (;;) {
      const slot = this.budget.take();
      if (!slot) {
        this.reason = `${name} exited ${policy.maxRestarts + 1} times within ${policy.windowMs / 1000} s; giving up`;
        log(this.reason);
        this.set("failed");
        this.options.onGiveUp?.(this.reason);
        return;
      }
      // Counted as soon as the restart is decided, and written with the "restarting" state: the System page and
      // /healthz show the new count while the engine is still down, not only once it serves again.
      this.restarts += 1;
      this.set("restarting");
      log(`${name}: restart ${slot.n} of at most ${policy.maxRestarts} in ${policy.windowMs / 1000} s, in ${slot.delayMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, slot.delayMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.stopping) return;
      try {
        await this.launch();
        log(`${name} restarted (pid ${this.child?.pid}), serving again`);
        return;
      } catch (error) {
        if (this.stopping) return;
        log(`${name}: restart failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
