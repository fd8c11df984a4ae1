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

describe("VenueMonitor after an outage", () => {
  const answer = (orderId: string, seq: number, type: "OrderAccepted" | "OrderRejected") =>
    ({ ...submitted(orderId, "A", seq), type, data: type === "OrderRejected" ? { reason: "venue down" } : { venueOrderId: "v" } }) as never;

  it("comes back UP: rejects during the outage and late answers to orders sent before it do not keep it DEGRADED", () => {
    let up = true;
    const a = { name: "A", isHealthy: () => up } as unknown as BrokerAdapter;
    const monitor = new VenueMonitor(new Map([["A", a]]));
    const sample = () => monitor.sample("2026-11-25T12:00:00.000000Z");
    sample();
    expect(monitor.state("A")).toBe("UP");
    monitor.observe(submitted("O-before", "A", 1)); // sent just before the outage
    up = false;
    sample();
    expect(monitor.state("A")).toBe("DOWN");
    // Sent while it was down (before the router knew): rejected.
    for (let i = 0; i < 10; i++) {
      monitor.observe(submitted(`O-down-${i}`, "A", 10 + i));
      monitor.observe(answer(`O-down-${i}`, 11 + i, "OrderRejected"));
    }
    expect(monitor.snapshot()[0]?.rejectRate).toBeGreaterThan(0.2);
    up = true;
    // The order sent before the outage is acknowledged 60 s later, when the venue is back.
    monitor.observe(answer("O-before", 60_000, "OrderAccepted"));
    for (let i = 0; i < 4; i++) sample();
    expect(monitor.state("A")).toBe("UP");
    expect(monitor.snapshot()[0]).toMatchObject({ rejectRate: 0, ackEwmaMs: 0 });
  });

  it("a venue that rejects while connected still turns DEGRADED", () => {
    const monitor = new VenueMonitor(new Map([["A", venue("A")]]));
    for (let i = 0; i < 20; i++) {
      monitor.observe(submitted(`O${i}`, "A", 2 * i));
      monitor.observe(answer(`O${i}`, 2 * i + 1, "OrderRejected"));
    }
    for (let i = 0; i < 4; i++) monitor.sample("2026-11-25T12:00:00.000000Z");
    expect(monitor.state("A")).toBe("DEGRADED");
  });
});
