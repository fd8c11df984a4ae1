import v8 from "node:v8";
import vm from "node:vm";
import { submitOrderInput } from "@fillmore/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

// A process that goes on after stopping an engine (a test run, a benchmark that measures the public
// API after its in-process phases) gets the engine's memory back: nothing global still holds it.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 60_000);
afterAll(async () => h?.close());

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Starts an engine, trades once, reads its metrics, stops it; only a weak reference to its book is kept. */
async function runAndStop(): Promise<WeakRef<object>> {
  const engine = await h.start();
  const order = submitOrderInput.parse({
    clOrdId: "stop-1",
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Market",
    orderQty: "1",
    timeInForce: "DAY",
  });
  await engine.orders.submit(order, "user:test");
  await (await fetch(`${engine.url}/metrics`)).text(); // the gauges have been read
  const book = new WeakRef(engine.orders.book);
  await engine.stop();
  h.engine = undefined;
  return book;
}

describe("engine stop", () => {
  it("leaves nothing that keeps the stopped engine's order book alive", async () => {
    const book = await runAndStop();
    for (let i = 0; i < 10 && book.deref(); i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
    }
    expect(book.deref()).toBeUndefined();
  });
});
