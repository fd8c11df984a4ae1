import { describe, expect, it } from "vitest";
import type { BrokerAdapter } from "../venues/adapter";
import { VenueMonitor } from "./venue-monitor";

/** Just enough of a venue for the monitor: connection and, optionally, a heartbeat age. */
const venue = (name: string, heartbeatAgeMs?: number): BrokerAdapter =>
  ({
    name,
    isHealthy: () => true,
    ...(heartbeatAgeMs === undefined ? {} : { heartbeatAgeMs: () => heartbeatAgeMs }),
  }) as unknown as BrokerAdapter;

const submitted = (orderId: string, venueId: string, seq: number) =>
  ({
    seq,
    ts: "2026-11-25T12:00:00.000000Z",
    monoUs: seq * 1000,
    type: "OrderSubmitted",
    orderId,
    accountId: "ACC",
    actor: "router",
    data: { venueId, venueOrderId: `${venueId}-${orderId}` },
  }) as const;

describe("VenueMonitor", () => {
  it("counts failed sends and keeps an error rate that falls back as sends succeed", () => {
    const monitor = new VenueMonitor(new Map([["A", venue("A")]]));
    monitor.observe(submitted("O1", "A", 1));
    monitor.recordSendError("A");
    const after = monitor.snapshot()[0];
    expect(after?.sendErrors).toBe(1);
    expect(after?.errorRate).toBeGreaterThan(0);
    for (let i = 2; i < 50; i++) monitor.observe(submitted(`O${i}`, "A", i));
    expect(monitor.snapshot()[0]?.errorRate).toBeLessThan(after?.errorRate ?? 0);
  });

  it("takes a venue's first fill as its acknowledgement when it fills without acknowledging", () => {
    const monitor = new VenueMonitor(new Map([["FIX", venue("FIX")]]));
    monitor.observe(submitted("O1", "FIX", 1));
    monitor.observe({
      ...submitted("O1", "FIX", 3),
      type: "OrderFilled",
      data: { execId: "E1", venueId: "FIX", lastQty: "1", lastPx: "10" },
    });
    expect(monitor.snapshot()[0]).toMatchObject({ ackEwmaMs: expect.any(Number), ackP99Ms: 2 });
    expect(monitor.snapshot()[0]?.ackEwmaMs).toBeGreaterThan(0);
  });

  it("shows each venue's heartbeat age and rate-limit use, or none", () => {
    const monitor = new VenueMonitor(
      new Map([
        ["FIX", venue("FIX", 1200)],
        ["SIM", venue("SIM")],
      ]),
    );
    const views = monitor.snapshot((id) => (id === "FIX" ? { perSecond: 10, burst: 20, usedPct: 25 } : null));
    expect(views.map((v) => [v.venueId, v.heartbeatAgeMs, v.rateLimit?.usedPct ?? null])).toEqual([
      ["FIX", 1200, 25],
      ["SIM", null, null],
    ]);
  });
});
