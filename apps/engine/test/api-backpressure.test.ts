import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission, isNewRisk } from "../src/api/backpressure";

// The engine's admission control on a real HTTP server on 127.0.0.1: two requests in flight at
// most, each held 300 ms; the event stream and /health are never refused.

const admission = new Admission({ maxInFlight: 2, maxLoopDelayMs: 0, windowMs: 250 });
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (!admission.admit(req, res)) return;
    setTimeout(() => res.end(JSON.stringify({ ok: true })), 300);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  admission.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function post(path: string) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: await response.json(),
    ms: performance.now() - started,
  };
}

describe("engine admission (503 OVERLOADED past the in-flight limit)", () => {
  it("answers the requests beyond the limit at once with 503, Retry-After and code OVERLOADED; the others complete", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => post("/v1/orders")));
    const refused = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 200).length).toBe(2);
    expect(refused.length).toBe(4);
    for (const a of refused) {
      expect(a.retryAfter).toBe("1");
      expect(a.body.error.code).toBe("OVERLOADED");
      expect(a.ms).toBeLessThan(300);
    }
    // The slots free up again once the held requests finished.
    expect(admission.inFlight).toBe(0);
    expect((await post("/v1/orders")).status).toBe(200);
  });

  it("never refuses /health or the event stream", async () => {
    const held = Promise.all([post("/v1/orders"), post("/v1/orders")]);
    await new Promise((r) => setTimeout(r, 50));
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    await held;
  });
});

it("a lagging engine sheds only new orders and modifications: cancels, cancel-all, halts and resets always pass", () => {
  expect(isNewRisk("/v1/orders")).toBe(true);
  expect(isNewRisk("/v1/orders/O1/modify")).toBe(true);
  expect(isNewRisk("/v1/orders/O1/cancel")).toBe(false);
  expect(isNewRisk("/v1/orders/cancel-all")).toBe(false);
  expect(isNewRisk("/v1/controls/trip")).toBe(false);
  expect(isNewRisk("/v1/controls/reset")).toBe(false);
  expect(isNewRisk("/v1/reconciliation/run")).toBe(false);
});
