import type { AnyEvent } from "@fillmore/shared";
import { afterEach, describe, expect, it } from "vitest";
import { AlertBook } from "./alert-book";
import { RejectRateWindow } from "./reject-rate";
import { alertRules, registerAlertRule, severityOf, unregisterAlertRule } from "./rules";
import { backoffAfter, signWebhook, verifyWebhook } from "./webhook";

let seq = 0;
const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace("Z", "000Z");
function ev(type: string, data: Record<string, unknown>, s: number, extra: Partial<AnyEvent> = {}): AnyEvent {
  seq += 1;
  return { seq, ts: at(s), monoUs: 0, type, orderId: null, accountId: null, actor: "engine", data, ...extra } as AnyEvent;
}
const raised = (code: string, s: number, extra: Partial<AnyEvent> = {}, subject?: string) =>
  ev("AlertRaised", { code, message: `${code} happened`, ...(subject ? { subject } : {}) }, s, extra);
const book = () => new AlertBook(alertRules, { dedupeWindowMs: 60_000 });

describe("alert rules and severity", () => {
  it("takes severity from the table by code; unknown codes are warnings", () => {
    expect(severityOf("OVER_FILL")).toBe("critical");
    expect(severityOf("LATE_FILL")).toBe("warning");
    expect(severityOf("JOURNAL_KEYED")).toBe("info");
    expect(severityOf("SOMETHING_NEW")).toBe("warning");
    const b = book();
    const [effect] = b.apply(raised("OVER_FILL", 0, { orderId: "O1", accountId: "ACC-1" }));
    expect(effect).toMatchObject({
      kind: "opened",
      alert: { code: "OVER_FILL", severity: "critical", subject: "O1", accountId: "ACC-1", state: "open" },
    });
  });

  it("events no rule takes make no alert", () => {
    const b = book();
    expect(b.apply(ev("VenueHealthChanged", { venueId: "V", state: "UP" }, 0))).toEqual([]);
    expect(b.apply(ev("EngineStarted", { version: "x", replayedEvents: 0 }, 0))).toEqual([]);
    expect(b.alerts.size).toBe(0);
  });

  afterEach(() => unregisterAlertRule("test-quality"));
  it("a registered rule wins over the catch-all and can set its own severity and subject", () => {
    registerAlertRule({ id: "test-quality", on: "AlertRaised", codes: ["SLIPPAGE"], severity: "info", subject: () => "desk" });
    const b = book();
    const [effect] = b.apply(raised("SLIPPAGE", 0, { orderId: "O9" }));
    expect(effect?.alert).toMatchObject({ rule: "test-quality", severity: "info", subject: "desk" });
  });
  it("a rule registered or removed after the book exists is in force from its next event", () => {
    const b = book();
    expect(b.apply(raised("SLIPPAGE", 0, {}, "a"))[0]?.alert.rule).toBe("alert-raised");
    registerAlertRule({ id: "test-quality", on: "AlertRaised", codes: ["SLIPPAGE"], severity: "info" });
    expect(b.apply(raised("SLIPPAGE", 1, {}, "b"))[0]?.alert).toMatchObject({ rule: "test-quality", severity: "info" });
    unregisterAlertRule("test-quality");
    expect(b.apply(raised("SLIPPAGE", 2, {}, "c"))[0]?.alert.rule).toBe("alert-raised");
  });
});

describe("deduplication", () => {
  it("the same code and subject within the window is one alert with a count; another subject is another alert", () => {
    const b = book();
    b.apply(raised("VENUE_BAD_DATA", 0, {}, "SIM-A"));
    const [again] = b.apply(raised("VENUE_BAD_DATA", 30, {}, "SIM-A"));
    expect(again).toMatchObject({ kind: "repeated", alert: { count: 2 } });
    b.apply(raised("VENUE_BAD_DATA", 31, {}, "SIM-B"));
    expect(b.list({ state: "open" }).alerts.map((a) => [a.subject, a.count])).toEqual([
      ["SIM-B", 1],
      ["SIM-A", 2],
    ]);
  });

  it("a repeat after the window (measured from the last one) opens a new alert", () => {
    const b = book();
    b.apply(raised("LATE_FILL", 0, { orderId: "O1" }));
    b.apply(raised("LATE_FILL", 50, { orderId: "O1" }));
    b.apply(raised("LATE_FILL", 100, { orderId: "O1" })); // 50 s after the last: still the same
    const [late] = b.apply(raised("LATE_FILL", 200, { orderId: "O1" }));
    expect(late?.kind).toBe("opened");
    expect(b.alerts.size).toBe(2);
  });

  it("an acknowledged alert keeps counting and stays acknowledged; a resolved one does not absorb repeats", () => {
    const b = book();
    const [first] = b.apply(raised("OVER_FILL", 0, { orderId: "O1" }));
    const id = first?.alert.alertId ?? "";
    b.apply(ev("AlertAcknowledged", { alertId: id, note: "looking" }, 1, { actor: "user:risk@x" }));
    b.apply(raised("OVER_FILL", 2, { orderId: "O1" }));
    expect(b.get(id)).toMatchObject({ state: "acknowledged", count: 2, acknowledgedBy: "user:risk@x", ackNote: "looking" });
    b.apply(ev("AlertResolved", { alertId: id, note: "busted", how: "manual" }, 3, { actor: "user:risk@x" }));
    const [after] = b.apply(raised("OVER_FILL", 4, { orderId: "O1" }));
    expect(after?.kind).toBe("opened");
  });
});

describe("hysteresis: raise and clear", () => {
  it("venue DOWN raises a critical alert; UP clears it; DOWN again within the window reopens it", () => {
    const b = book();
    const [down] = b.apply(ev("VenueHealthChanged", { venueId: "SIM-A", state: "DOWN" }, 0));
    expect(down).toMatchObject({ kind: "opened", alert: { code: "VENUE_DOWN", severity: "critical", subject: "SIM-A", clears: true } });
    expect(b.apply(ev("VenueHealthChanged", { venueId: "SIM-B", state: "UP" }, 1))).toEqual([]);
    const [up] = b.apply(ev("VenueHealthChanged", { venueId: "SIM-A", state: "UP" }, 2));
    expect(up?.kind).toBe("cleared");
    const id = down?.alert.alertId ?? "";
    expect(b.clearing.has(id)).toBe(true);
    b.apply(ev("AlertResolved", { alertId: id, note: "cleared", how: "cleared" }, 2, { actor: "alerts" }));
    expect(b.get(id)).toMatchObject({ state: "resolved", resolution: "cleared", resolvedBy: "alerts" });
    expect(b.clearing.size).toBe(0);
    const [again] = b.apply(ev("VenueHealthChanged", { venueId: "SIM-A", state: "DOWN" }, 10));
    expect(again).toMatchObject({ kind: "reopened", alert: { alertId: id, state: "open", count: 2, reopened: 1 } });
    // Later than the window after clearing: a new alert.
    b.apply(ev("AlertResolved", { alertId: id, note: "cleared", how: "cleared" }, 11, { actor: "alerts" }));
    const [fresh] = b.apply(ev("VenueHealthChanged", { venueId: "SIM-A", state: "DOWN" }, 200));
    expect(fresh?.kind).toBe("opened");
  });

  it("a reconciliation break is an alert until the break is resolved", () => {
    const b = book();
    const [found] = b.apply(
      ev("BreakFound", { breakId: "BRK-1", kind: "position", source: "venue:S", symbol: "AAPL", explanation: "x" }, 0),
    );
    expect(found?.alert).toMatchObject({ code: "RECON_BREAK", severity: "warning", subject: "BRK-1" });
    expect(b.apply(ev("BreakResolved", { breakId: "BRK-1", resolution: "adopted", note: "n" }, 5))[0]?.kind).toBe("cleared");
  });

  it("replayed in the same order, the same events give the same alerts", () => {
    seq = 100;
    const events = [
      raised("OVER_FILL", 0, { orderId: "O1" }),
      ev("VenueHealthChanged", { venueId: "SIM-A", state: "DOWN" }, 1),
      raised("OVER_FILL", 2, { orderId: "O1" }),
      ev("AlertAcknowledged", { alertId: "AL-101", note: "mine" }, 3, { actor: "user:r@x" }),
    ];
    const a = book();
    const b = book();
    for (const e of events) a.apply(e);
    for (const e of events) b.apply(e);
    expect(b.list()).toEqual(a.list());
    expect(a.get("AL-101")).toMatchObject({ count: 2, state: "acknowledged" });
  });
});

describe("list", () => {
  it("filters by state, severity and accounts; counts what the caller may see", () => {
    const b = book();
    b.apply(raised("OVER_FILL", 0, { orderId: "O1", accountId: "ACC-1" }));
    b.apply(raised("LATE_FILL", 0, { orderId: "O2", accountId: "ACC-2" }));
    b.apply(ev("VenueHealthChanged", { venueId: "SIM-A", state: "DOWN" }, 0));
    expect(
      b
        .list({ severity: "critical" })
        .alerts.map((a) => a.code)
        .sort(),
    ).toEqual(["OVER_FILL", "VENUE_DOWN"]);
    const mine = b.list({ accountIds: ["ACC-1"] });
    expect(mine.alerts.map((a) => a.code)).toEqual(["OVER_FILL"]);
    expect(mine.counts).toMatchObject({ open: 1, openCritical: 1, openWarning: 0 });
  });
});

describe("reject rate", () => {
  it("raises above the threshold with enough orders, clears at half the threshold or with too few orders", () => {
    const w = new RejectRateWindow({ windowMs: 10_000, thresholdPct: 20, minOrders: 10 });
    for (let i = 0; i < 10; i += 1) w.recordSent("V", T0 + i);
    for (let i = 0; i < 3; i += 1) w.recordRejected("V", T0 + i);
    const [r] = w.readings(T0 + 100);
    expect(r).toMatchObject({ venueId: "V", sent: 10, rejected: 3, pct: 30 });
    expect(r && w.breached(r)).toBe(true);
    expect(r && w.cleared(r)).toBe(false);
    for (let i = 0; i < 10; i += 1) w.recordSent("V", T0 + 200 + i);
    const [lower] = w.readings(T0 + 300); // 3 of 20: 15%, not above 20, not yet below 10
    expect(lower && (w.breached(lower) || w.cleared(lower))).toBe(false);
    const [later] = w.readings(T0 + 10_050); // the first ten sent and the rejects fell out of the window
    expect(later).toMatchObject({ sent: 10, rejected: 0 });
    expect(later && w.cleared(later)).toBe(true);
  });
});

describe("webhook signature and backoff", () => {
  it("signs timestamp.body with HMAC-SHA256; verification refuses another body, secret or a stale timestamp", () => {
    const body = '{"a":1}';
    const sig = signWebhook("s3cret-s3cret-s3cret", "1700000000", body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    const ok = (b: string, secret = "s3cret-s3cret-s3cret", now = 1700000010) =>
      verifyWebhook(secret, { signature: sig, timestamp: "1700000000" }, b, now);
    expect(ok(body)).toBe(true);
    expect(ok('{"a":2}')).toBe(false);
    expect(ok(body, "another-secret-xxxxx")).toBe(false);
    expect(ok(body, undefined, 1700000000 + 301)).toBe(false);
  });

  it("doubles the wait after each attempt up to the cap", () => {
    const o = { backoffMs: 100, maxBackoffMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffAfter(o, n))).toEqual([100, 200, 400, 800, 1000]);
  });
});
