import { EventEmitter } from "node:events";
import type { SetTradingState } from "@fillmore/shared";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { FAULT_REPEAT_WINDOW_MS, installLastResort, type LastResortEngine } from "./last-resort";

/** An engine that records what the handler journals and which trading states it sets. */
function fakeEngine(options: { journalThrows?: boolean; haltFails?: boolean } = {}) {
  const alerts: { code: string; message: string }[] = [];
  const states: { input: SetTradingState; actor: string }[] = [];
  const engine: LastResortEngine = {
    journal: {
      append(draft) {
        if (options.journalThrows) throw new Error("journal closed");
        if (draft.type === "AlertRaised") alerts.push(draft.data as { code: string; message: string });
        return { event: {} as never };
      },
    },
    risk: {
      async setTradingState(input, actor) {
        states.push({ input, actor });
        if (options.haltFails) throw new Error("database gone");
        return {} as never;
      },
    },
  };
  return { engine, alerts, states };
}

function setup(options?: Parameters<typeof fakeEngine>[0]) {
  const proc = new EventEmitter();
  const fake = fakeEngine(options);
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: "trace" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  let clock = 1_000_000;
  const remove = installLastResort(proc, fake.engine, log, () => clock);
  return { proc, ...fake, lines, remove, advance: (ms: number) => (clock += ms) };
}

describe("last-resort handler", () => {
  it("an uncaught exception is journaled as ENGINE_FAULT, halts new orders globally with the reason, and is logged", async () => {
    const { proc, alerts, states, lines } = setup();
    proc.emit("uncaughtException", new TypeError('not a decimal string: "1.2e-7"'));
    await Promise.resolve();
    expect(alerts).toEqual([{ code: "ENGINE_FAULT", message: 'uncaughtException: TypeError: not a decimal string: "1.2e-7"' }]);
    expect(states).toEqual([
      {
        input: { scope: "global", state: "HALTED", reason: 'engine fault: uncaughtException: TypeError: not a decimal string: "1.2e-7"' },
        actor: "engine",
      },
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 60, msg: expect.stringMatching(/last-resort/) }));
  });

  it("an unhandled promise rejection is handled the same way", () => {
    const { proc, alerts, states } = setup();
    proc.emit("unhandledRejection", "venue gone");
    expect(alerts).toEqual([{ code: "ENGINE_FAULT", message: 'unhandledRejection: non-error value "venue gone"' }]);
    expect(states).toHaveLength(1);
  });

  it("the same fault repeating (a failing timer) is journaled once a minute, not every time, and halts once", () => {
    const { proc, alerts, states, lines, advance } = setup();
    for (let i = 0; i < 5; i++) proc.emit("uncaughtException", new Error("tick failed"));
    expect(alerts).toHaveLength(1);
    expect(lines.filter((l) => l.level === 60)).toHaveLength(5);
    proc.emit("uncaughtException", new Error("another fault"));
    expect(alerts).toHaveLength(2);
    advance(FAULT_REPEAT_WINDOW_MS);
    proc.emit("uncaughtException", new Error("tick failed"));
    expect(alerts).toHaveLength(3);
    expect(states).toHaveLength(1);
  });

  it("a journal that cannot append does not make the handler throw; trading is still halted", () => {
    const { proc, states, lines } = setup({ journalThrows: true });
    expect(() => proc.emit("uncaughtException", new Error("boom"))).not.toThrow();
    expect(states).toHaveLength(1);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "could not journal the engine fault" }));
  });

  it("a halt that fails is logged and tried again at the next fault", async () => {
    const { proc, states, lines } = setup({ haltFails: true });
    proc.emit("uncaughtException", new Error("first"));
    await new Promise((r) => setImmediate(r));
    expect(lines).toContainEqual(expect.objectContaining({ msg: "could not halt trading after an engine fault" }));
    proc.emit("uncaughtException", new Error("second"));
    expect(states).toHaveLength(2);
  });

  it("removing the handlers leaves the process as it was", () => {
    const { proc, remove } = setup();
    remove();
    expect(proc.listenerCount("uncaughtException")).toBe(0);
    expect(proc.listenerCount("unhandledRejection")).toBe(0);
  });
});
