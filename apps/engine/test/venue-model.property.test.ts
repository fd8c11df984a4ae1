import { isTerminal, money, type Order, type OrderEvent, replayOrders, type Side } from "@fillmore/shared";
import fc from "fast-check";
import { expect, it } from "vitest";
import { CommandError } from "../src/orders/errors";
import type { OrderChanges, VenueReport } from "../src/venues/adapter";
import { createOrderManagerHarness, type OrderManagerHarness } from "./harness";

// A model of a venue sends any sequence a real venue may send, races included (fills crossing
// cancels and replaces, unsolicited cancels, expiry, rejects after acknowledgement, busts,
// corrections, restatements, duplicates, reports delivered out of order) to the REAL order manager,
// while the engine's own commands (submit, cancel, modify, expiry) go the other way. Invariants:
// each execution is booked once; cumQty is the sum of the venue's unbusted fills; the position is
// the sum over fills; no live order has nothing left; leaves are never negative; the final state
// agrees with the venue's; no exception escapes; replaying the journal rebuilds the same orders.

type VenueState = "new" | "working" | "filled" | "cancelled" | "expired" | "rejected";

interface VenueFill {
  execId: string;
  qty: string;
  px: string;
  busted: boolean;
}

/** One order as the venue holds it. */
interface VenueOrder {
  orderId: string;
  side: Side;
  orderQty: string;
  cumQty: string;
  state: VenueState;
  fills: VenueFill[];
  /** Cancel requests not answered yet, oldest first: true for one the engine's expiry sent. */
  cancels: boolean[];
  pendingReplace: OrderChanges | null;
  /**
   * The engine's expiry asked the venue to cancel it: a cancel the engine learns of while its
   * expiry is pending is booked Expired (the venue's cancel reports do not say whose cancel it was).
   */
  expiryAsked: boolean;
}

const live = (v: VenueOrder) => v.state === "new" || v.state === "working";

/** The venue: its orders, the reports it has sent but we have not received, and those delivered. */
class VenueModel {
  readonly orders: VenueOrder[] = [];
  readonly outbox: VenueReport[] = [];
  readonly delivered: VenueReport[] = [];
  private exec = 0;
  private seenRequests = 0;

  constructor(private readonly h: OrderManagerHarness) {}

  /** Takes the engine's new requests (submit, cancel, modify) off the scripted venue. */
  receive(fromExpiry = false): void {
    const { requests } = this.h.venue;
    for (; this.seenRequests < requests.length; this.seenRequests++) {
      const r = requests[this.seenRequests];
      if (!r) continue;
      if (r.kind === "submit") {
        this.orders.push({
          orderId: r.order.orderId,
          side: r.order.side,
          orderQty: r.order.orderQty,
          cumQty: "0",
          state: "new",
          fills: [],
          cancels: [],
          pendingReplace: null,
          expiryAsked: false,
        });
        continue;
      }
      const v = this.find(r.orderId);
      if (!v) continue;
      if (r.kind === "cancel") {
        v.cancels.push(fromExpiry);
        if (fromExpiry) v.expiryAsked = true;
      } else v.pendingReplace = r.changes;
    }
  }

  find(orderId: string): VenueOrder | undefined {
    return this.orders.find((o) => o.orderId === orderId);
  }

  /** The n-th order the action can apply to (an ack to an unacknowledged order, a bust to one with fills...). */
  pick(a: VenueAction): VenueOrder | undefined {
    const fits = this.orders.filter((v) => {
      switch (a.kind) {
        case "ack":
          return v.state === "new";
        case "answerCancel":
          return v.cancels.length > 0;
        case "answerReplace":
          return v.pendingReplace !== null;
        case "bust":
        case "correct":
          return v.fills.some((f) => !f.busted);
        default:
          return live(v);
      }
    });
    return fits.length === 0 ? undefined : fits[a.pick % fits.length];
  }

  private send(report: VenueReport): void {
    this.outbox.push(report);
  }

  private settle(v: VenueOrder): void {
    if (live(v) && money.gte(v.cumQty, v.orderQty)) v.state = "filled";
    // A bust or correction that leaves something reopens a filled order (FIX ExecType H/G).
    if (v.state === "filled" && money.lt(v.cumQty, v.orderQty)) v.state = "working";
  }

  act(a: VenueAction): void {
    const v = this.pick(a);
    if (!v) return;
    const { orderId } = v;
    switch (a.kind) {
      case "ack":
        if (v.state !== "new") return;
        v.state = "working";
        this.send({ kind: "accepted", orderId, venueOrderId: `V-${orderId}` });
        return;
      case "fill": {
        if (!live(v)) return;
        const left = money.sub(v.orderQty, v.cumQty);
        // Mostly within the remainder; sometimes beyond it (an over-fill the venue really made).
        const qty = a.over ? money.add(left, String((a.size % 5) + 1)) : String(Math.max(1, Math.min(Number(left), a.size)));
        this.exec += 1;
        const fill = { execId: `E${this.exec}`, qty, px: a.px, busted: false };
        v.fills.push(fill);
        v.cumQty = money.add(v.cumQty, qty);
        this.settle(v);
        this.send({ kind: "fill", orderId, execId: fill.execId, lastQty: qty, lastPx: a.px });
        return;
      }
      case "answerCancel": {
        if (v.cancels.length === 0) return;
        v.cancels.shift();
        if (a.accept && live(v)) {
          v.state = "cancelled";
          v.pendingReplace = null;
          this.send({ kind: "cancelled", orderId, reason: "cancelled on request" });
        } else this.send({ kind: "cancelRejected", orderId, reason: live(v) ? "refused" : "too late to cancel" });
        return;
      }
      case "answerReplace": {
        const changes = v.pendingReplace;
        if (!changes) return;
        v.pendingReplace = null;
        if (a.accept && live(v)) {
          v.orderQty = changes.orderQty;
          this.settle(v);
          this.send({ kind: "replaced", orderId, ...changes });
        } else this.send({ kind: "replaceRejected", orderId, reason: live(v) ? "refused" : "too late to replace" });
        return;
      }
      case "unsolicited":
        if (!live(v)) return;
        v.state = a.how;
        v.pendingReplace = null;
        if (a.how === "cancelled") this.send({ kind: "cancelled", orderId, reason: "unsolicited cancel" });
        else if (a.how === "expired") this.send({ kind: "expired", orderId, reason: "expired at the venue" });
        else this.send({ kind: "rejected", orderId, reason: "rejected by the venue after acknowledgement" });
        return;
      case "bust": {
        const candidates = v.fills.filter((f) => !f.busted);
        const fill = candidates[a.which % Math.max(1, candidates.length)];
        if (!fill) return;
        fill.busted = true;
        v.cumQty = money.sub(v.cumQty, fill.qty);
        this.settle(v);
        this.send({ kind: "tradeBusted", orderId, refExecId: fill.execId, reason: "busted" });
        return;
      }
      case "correct": {
        const candidates = v.fills.filter((f) => !f.busted);
        const fill = candidates[a.which % Math.max(1, candidates.length)];
        if (!fill) return;
        this.exec += 1;
        const refExecId = fill.execId;
        v.cumQty = money.add(money.sub(v.cumQty, fill.qty), a.qty);
        fill.qty = a.qty;
        fill.px = a.px;
        fill.execId = `E${this.exec}`; // later busts and corrections name the correction
        this.settle(v);
        this.send({ kind: "tradeCorrected", orderId, refExecId, execId: fill.execId, lastQty: a.qty, lastPx: a.px, reason: "corrected" });
        return;
      }
      case "restate":
        if (!live(v)) return;
        v.orderQty = a.qty;
        this.settle(v);
        this.send({ kind: "restated", orderId, orderQty: a.qty, price: "100", reason: "restated by the venue" });
        return;
    }
  }

  /** Delivers the oldest report, or the second before the first (out of order), or repeats one. */
  deliver(how: "next" | "swap" | "duplicate", n: number): VenueReport | undefined {
    if (how === "duplicate") {
      const again = this.delivered.filter((r) =>
        ["fill", "accepted", "tradeBusted", "tradeCorrected", "cancelled", "expired", "rejected"].includes(r.kind),
      );
      return again.length ? again[n % again.length] : undefined;
    }
    const [first, second] = this.outbox;
    // What overtakes or is overtaken is a fill or an acknowledgement (a drop copy, a second session):
    // busts and corrections never move (a venue cannot bust what it has not reported), and two
    // reports that both set the order's quantity cannot be told apart in time by anyone.
    const movable = (r: VenueReport | undefined) => r !== undefined && r.kind !== "tradeBusted" && r.kind !== "tradeCorrected";
    const racing = (r: VenueReport | undefined) => r?.kind === "fill" || r?.kind === "accepted";
    const index = how === "swap" && movable(first) && movable(second) && (racing(first) || racing(second)) ? 1 : 0;
    const [report] = this.outbox.splice(index, 1);
    if (report) this.delivered.push(report);
    return report;
  }
}

type VenueAction =
  | { kind: "ack"; pick: number }
  | { kind: "fill"; pick: number; size: number; over: boolean; px: string }
  | { kind: "answerCancel"; pick: number; accept: boolean }
  | { kind: "answerReplace"; pick: number; accept: boolean }
  | { kind: "unsolicited"; pick: number; how: "cancelled" | "expired" | "rejected" }
  | { kind: "bust"; pick: number; which: number }
  | { kind: "correct"; pick: number; which: number; qty: string; px: string }
  | { kind: "restate"; pick: number; qty: string };

type Step =
  | { kind: "submit"; side: Side; qty: number }
  | { kind: "cancel"; pick: number }
  | { kind: "modify"; pick: number; qty: number }
  | { kind: "expire"; pick: number }
  | { kind: "venue"; action: VenueAction }
  | { kind: "deliver"; how: "next" | "swap" | "duplicate"; n: number };

const pick = fc.nat(1000);
const qty = fc.integer({ min: 1, max: 120 }).map(String);
const px = fc.constantFrom("99", "99.5", "100", "100.5");
const venueAction: fc.Arbitrary<VenueAction> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("ack" as const), pick }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      pick,
      size: fc.integer({ min: 1, max: 80 }),
      over: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
      px,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("answerCancel" as const), pick, accept: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("answerReplace" as const), pick, accept: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("unsolicited" as const),
      pick,
      how: fc.constantFrom("cancelled" as const, "expired" as const, "rejected" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bust" as const), pick, which: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("correct" as const), pick, which: fc.nat(10), qty, px }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restate" as const), pick, qty }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      side: fc.constantFrom("Buy" as const, "Sell" as const),
      qty: fc.integer({ min: 10, max: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("modify" as const), pick, qty: fc.integer({ min: 5, max: 150 }) }) },
  // The session end, rarely: it expires every working DAY order at once.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const), pick: fc.nat(3) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("venue" as const), action: venueAction }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("deliver" as const),
      how: fc.constantFrom("next" as const, "next" as const, "swap" as const, "duplicate" as const),
      n: pick,
    }),
  },
);

/** The engine's orders never show nothing left while live, nor negative leaves. */
function checkLeaves(orders: readonly Order[]): void {
  for (const o of orders) {
    expect(money.gte(o.leavesQty, "0"), `${o.orderId} leaves ${o.leavesQty}`).toBe(true);
    if (!isTerminal(o.ordStatus) && o.ordStatus !== "Validated" && o.ordStatus !== "Pending")
      expect(money.isZero(o.leavesQty), `${o.orderId} is ${o.ordStatus} with nothing left`).toBe(false);
  }
}

/** Our final state for each venue state. */
function agrees(v: VenueOrder, o: Order): boolean {
  switch (v.state) {
    case "new":
    case "working":
      return !isTerminal(o.ordStatus);
    case "filled":
      return o.ordStatus === "Filled";
    case "cancelled":
      return o.ordStatus === "Cancelled" || (v.expiryAsked && o.ordStatus === "Expired");
    case "expired":
      return o.ordStatus === "Expired";
    case "rejected":
      return o.ordStatus === "Rejected";
  }
}

/** What the runs exercised, so the property cannot pass vacuously. */
const seen = new Map<string, number>();
const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

async function run(steps: readonly Step[]): Promise<void> {
  const h = await createOrderManagerHarness();
  const venue = new VenueModel(h);
  let n = 0;
  // Engine commands go mostly to orders still working on our side; sometimes to any (refusals are part of it).
  const orderIds = () => {
    const working = h.orders.working().map((o) => o.orderId);
    return working.length > 0 && n % 4 !== 0 ? working : venue.orders.map((v) => v.orderId);
  };
  const command = async (name: string, fn: () => Promise<unknown>) => {
    // A refused command is a CommandError; anything else escaping is a defect.
    await fn().then(
      () => count(`${name}:ok`),
      (error: unknown) => {
        if (!(error instanceof CommandError)) throw error;
        count(`${name}:${error.code}`);
      },
    );
  };
  for (const s of steps) {
    if (s.kind === "submit") {
      n += 1;
      await command("submit", () =>
        h.orders.submit(
          {
            clOrdId: `M-${n}`,
            accountId: "ACC-1",
            symbol: "AAPL",
            side: s.side,
            ordType: "Limit",
            price: "100",
            orderQty: String(s.qty),
            timeInForce: "DAY",
          },
          "user:model",
        ),
      );
    } else if (s.kind === "cancel") {
      const id = orderIds()[s.pick % Math.max(1, orderIds().length)];
      if (id) await command("cancel", () => h.orders.cancel(id, "user:model"));
    } else if (s.kind === "modify") {
      const id = orderIds()[s.pick % Math.max(1, orderIds().length)];
      if (id) await command("modify", () => h.orders.modify({ orderId: id, orderQty: String(s.qty) }, "user:model"));
    } else if (s.kind === "expire") {
      if (s.pick !== 0) continue;
      venue.receive();
      h.orders.expireDue(Date.now() + 25 * 3600_000);
      await new Promise((r) => setImmediate(r));
      venue.receive(true);
      continue;
    } else if (s.kind === "venue") {
      venue.act(s.action);
    } else {
      const report = venue.deliver(s.how, s.n);
      if (report) {
        count(`${s.how}:${report.kind}`);
        h.venue.report(report);
      }
    }
    venue.receive();
    checkLeaves(h.orders.all());
  }
  // Quiet: everything the venue sent arrives, in order.
  for (let report = venue.deliver("next", 0); report; report = venue.deliver("next", 0)) {
    count(`next:${report.kind}`);
    h.venue.report(report);
  }
  checkLeaves(h.orders.all());

  const events = await h.events();
  expect(events.filter((e) => e.type === "AlertRaised" && e.data.code === "VENUE_REPORT_FAILED")).toEqual([]);
  // Each execution booked once.
  const execIds = events.flatMap((e) => (e.type === "OrderFilled" || e.type === "OrderPartiallyFilled" ? [e.data.execId] : []));
  expect(new Set(execIds).size).toBe(execIds.length);

  let expectedPosition = "0";
  for (const v of venue.orders) {
    const o = h.get(v.orderId);
    // cumQty = the sum of the venue's unbusted fills, as corrected.
    const unbusted = money.sum(v.fills.filter((f) => !f.busted).map((f) => f.qty));
    expect(o.cumQty, `${v.orderId} cumQty`).toBe(money.normalize(unbusted));
    expect(agrees(v, o), `${v.orderId}: venue ${v.state}, engine ${o.ordStatus}`).toBe(true);
    count(`final:${o.ordStatus}`);
    if (o.lateFill) count("lateFill");
    if (o.overFill) count("overFill");
    expectedPosition = v.side === "Buy" ? money.add(expectedPosition, unbusted) : money.sub(expectedPosition, unbusted);
  }
  expect(h.positions.position("ACC-1", "AAPL").qty).toBe(money.normalize(expectedPosition));

  // The journal rebuilds exactly the live orders.
  const replayed = replayOrders(events.filter((e): e is OrderEvent => e.type.startsWith("Order") && e.orderId !== null) as OrderEvent[]);
  for (const o of h.orders.all()) expect(replayed.get(o.orderId)).toEqual(o);
}

it("a venue model's any sequence of reports, races included, keeps every execution booked once and the engine in agreement", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60, size: "max" }), (steps) => run(steps)),
    { numRuns: 200 },
  );
  if (process.env.MODEL_STATS) console.log(Object.fromEntries([...seen].sort()));
  for (const what of [
    "next:fill",
    "swap:fill",
    "duplicate:fill",
    "next:tradeBusted",
    "next:tradeCorrected",
    "next:restated",
    "next:replaced",
    "next:cancelRejected",
    "next:rejected",
    "final:Filled",
    "final:Cancelled",
    "final:Expired",
    "final:Rejected",
    "final:PartiallyFilled",
    "overFill",
  ])
    expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
}, 120_000);
