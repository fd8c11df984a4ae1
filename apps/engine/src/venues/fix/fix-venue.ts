import { type Decimal, money, type Order, type OrdType, type TimeInForce } from "@fillmore/shared";
import { inRange, type OrderIdRange } from "../../orders/order-ids";
import type { BrokerAdapter, OrderChanges, VenueCapabilities, VenueFill, VenueOrderStatus, VenuePosition, VenueReport } from "../adapter";
import { type AlertingAdapter, describe, type VenueAlert, VenueListeners } from "../venue-alert";
import { type Field, type FixMessage, printable, Tag, utcTimestamp } from "./codec";
import { type ExecReport, readExecutionReport, refExecKeyOf, refusalReport, rejectReason, toVenueReport, type VenueState } from "./mapping";
import { FixSession, type FixSessionConfig } from "./session";

export interface FixVenueConfig extends FixSessionConfig {
  ordTypes?: OrdType[];
  timeInForces?: TimeInForce[];
  modify?: boolean;
  /** How long getOrderStatus waits for an answer to OrderStatusRequest. */
  statusTimeoutMs?: number;
  /** How long connect() waits for the first logon (the session keeps trying after that). */
  connectTimeoutMs?: number;
}

/** What we know of one order at this venue, kept durably in the session store as an extra. */
interface OrderRecord {
  orderId: string;
  /** The ClOrdID the venue knows the order by now (changes with each accepted replace). */
  clOrdId: string;
  /** Every ClOrdID we used for it, so any report can be matched. */
  clOrdIds: string[];
  symbol: string;
  side: Order["side"];
  orderQty: Decimal;
  price: Decimal | null;
  /** "sent": no answer yet, the outcome is unknown. */
  state: VenueState | "sent";
  cumQty: Decimal;
  fills: VenueFill[];
  execKeys: string[];
  reason: string | null;
  venueOrderId: string | null;
  /** The order as we sent it, for recovery after a crash that lost its journal entry. */
  sent?: Order;
}

const SIDE: Record<Order["side"], string> = { Buy: "1", Sell: "2" };
const ORD_TYPE: Record<OrdType, string> = { Market: "1", Limit: "2", Stop: "3", StopLimit: "4", TrailingStop: "P" };
const TIF: Record<TimeInForce, string> = { DAY: "0", GTC: "1", IOC: "3", FOK: "4", GTD: "6" };

/**
 * A venue reached over FIX 4.2 or 4.4. ClOrdIDs are derived from our order id (the order id
 * itself for the order, `<orderId>.C<seq>`/`.R<seq>` for cancels and replaces, with our journal
 * sequence), and an order already in this venue's store is never sent again, so a restart never
 * sends an order twice. Reports are de-duplicated by ExecID (with the ClOrdID, see docs).
 */
export class FixVenue implements BrokerAdapter, AlertingAdapter {
  readonly capabilities: VenueCapabilities;
  readonly session: FixSession;
  private readonly listeners: VenueListeners;
  private readonly orders = new Map<string, OrderRecord>();
  private readonly byClOrdId = new Map<string, string>();
  private readonly statusWaiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly version: "FIX.4.2" | "FIX.4.4";

  constructor(
    readonly name: string,
    private readonly config: FixVenueConfig,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.version = config.beginString;
    this.listeners = new VenueListeners(name, (line) => this.log(`${name} ${line}`));
    this.capabilities = {
      ordTypes: config.ordTypes ?? ["Market", "Limit"],
      timeInForces: config.timeInForces ?? ["DAY", "GTC", "IOC", "FOK"],
      nativeStops: false,
      modify: config.modify ?? true,
      cancel: true,
    };
    this.session = new FixSession(config, {
      onApp: (m) => this.onApp(m),
      onAppError: (m, error, rejected) => this.onAppError(m, error, rejected),
      onFault: (what, error) => this.listeners.fault(`FIX session ${what} failed: ${describe(error)}`),
      log: (line) => this.log(`${name} ${line}`),
    });
    for (const record of this.session.extras as OrderRecord[]) this.remember(record);
  }

  /**
   * Starts the session and waits for the first logon, at most `connectTimeoutMs`: then it rejects
   * (the engine starts without the venue, unhealthy) while the session keeps reconnecting.
   */
  async connect(): Promise<void> {
    const loggedOn = this.session.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name}: no FIX logon within ${this.config.connectTimeoutMs ?? 10_000} ms; still trying`)),
        this.config.connectTimeoutMs ?? 10_000,
      );
    });
    try {
      await Promise.race([loggedOn, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    await this.session.stop();
  }

  isHealthy(): boolean {
    return this.session.isLoggedOn;
  }

  heartbeatAgeMs(): number | null {
    return this.session.heardFromMs();
  }

  onReport(listener: (r: VenueReport) => void): void {
    this.listeners.onReport(listener);
  }

  /** Data the venue sent that we refused, and failures handling its input (the engine journals them as AlertRaised). */
  onAlert(listener: (alert: VenueAlert) => void): void {
    this.listeners.onAlert(listener);
  }

  /** RequestForPositions (AN) / PositionReport (AP): QuickFIX's executor (our FIX peer) answers neither. */
  readonly positionsUnsupported =
    "RequestForPositions (AN) is not supported by QuickFIX's executor: no PositionReport to reconcile against; use a broker statement";

  async getPositions(): Promise<VenuePosition[]> {
    return [];
  }

  /** What the venue holds of the order, as this adapter recorded it. */
  record(orderId: string): Readonly<OrderRecord> | undefined {
    return this.orders.get(orderId);
  }

  async submitOrder(order: Order): Promise<void> {
    if (this.orders.has(order.orderId)) return; // already at the venue (or in the store, resent on demand)
    const clOrdId = order.orderId;
    const record: OrderRecord = {
      orderId: order.orderId,
      clOrdId,
      clOrdIds: [clOrdId],
      symbol: order.symbol,
      side: order.side,
      orderQty: order.orderQty,
      price: order.price,
      state: "sent",
      cumQty: "0",
      fills: [],
      execKeys: [],
      reason: null,
      venueOrderId: null,
      sent: order,
    };
    const body: Field[] = [[Tag.ClOrdID, clOrdId]];
    if (this.version === "FIX.4.2") body.push([Tag.HandlInst, "1"]);
    body.push(...this.instrument(order), [Tag.TransactTime, utcTimestamp()], [Tag.OrderQty, order.orderQty]);
    body.push(...this.pricing(order.ordType, order.price, order.stopPx, order.timeInForce));
    this.remember(record);
    this.session.sendApp("D", body, [record]);
  }

  async cancelOrder(order: Order): Promise<void> {
    const record = this.orders.get(order.orderId);
    if (!record) {
      this.emit({ kind: "cancelRejected", orderId: order.orderId, reason: `${this.name} never received ${order.orderId}` });
      return;
    }
    const clOrdId = `${order.orderId}.C${order.lastSeq}`;
    const next = { ...record, clOrdIds: [...record.clOrdIds, clOrdId] };
    this.remember(next);
    this.session.sendApp(
      "F",
      [
        [Tag.OrigClOrdID, record.clOrdId],
        [Tag.ClOrdID, clOrdId],
        ...this.instrument(order),
        [Tag.TransactTime, utcTimestamp()],
        [Tag.OrderQty, record.orderQty],
      ],
      [next],
    );
  }

  async modifyOrder(order: Order, changes: OrderChanges): Promise<void> {
    const record = this.orders.get(order.orderId);
    if (!record) {
      this.emit({ kind: "replaceRejected", orderId: order.orderId, reason: `${this.name} never received ${order.orderId}` });
      return;
    }
    const clOrdId = `${order.orderId}.R${order.lastSeq}`;
    const next = { ...record, clOrdIds: [...record.clOrdIds, clOrdId] };
    this.remember(next);
    const body: Field[] = [
      [Tag.OrigClOrdID, record.clOrdId],
      [Tag.ClOrdID, clOrdId],
    ];
    if (this.version === "FIX.4.2") body.push([Tag.HandlInst, "1"]);
    body.push(...this.instrument(order), [Tag.TransactTime, utcTimestamp()], [Tag.OrderQty, changes.orderQty]);
    body.push(...this.pricing(order.ordType, changes.price, changes.stopPx, order.timeInForce));
    this.session.sendApp("G", body, [next]);
  }

  /** The store holds every order before it goes out, so it can list what a crash kept from the journal. */
  async recoverOrders(range: OrderIdRange): Promise<Order[]> {
    return [...this.orders.values()].flatMap((r) => (r.sent && inRange(r.orderId, range) ? [r.sent] : []));
  }

  /**
   * Known answers come from the store. An order sent without any answer yet is asked about with
   * OrderStatusRequest; if the venue cannot say (no answer, or it refuses the request) this throws,
   * and the engine keeps the outcome unknown rather than sending the order again.
   */
  async getOrderStatus(orderId: string): Promise<VenueOrderStatus> {
    let record = this.orders.get(orderId);
    if (!record) return { orderId, known: false };
    if (record.state === "sent") {
      await this.requestStatus(record);
      record = this.orders.get(orderId) ?? record;
      if (record.state === "sent") throw new Error(`${this.name}: outcome of ${orderId} unknown`);
    }
    return {
      orderId,
      known: true,
      state: record.state,
      orderQty: record.orderQty,
      price: record.price,
      cumQty: record.cumQty,
      fills: record.fills,
      reason: record.reason,
    };
  }

  private requestStatus(record: OrderRecord): Promise<void> {
    const timeoutMs = this.config.statusTimeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.statusWaiters.delete(record.orderId);
        reject(new Error(`${this.name}: no answer to OrderStatusRequest for ${record.orderId}; outcome unknown`));
      }, timeoutMs);
      this.statusWaiters.set(record.orderId, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const body: Field[] = [[Tag.ClOrdID, record.clOrdId]];
      if (record.venueOrderId) body.unshift([Tag.OrderID, record.venueOrderId]);
      body.push([Tag.Symbol, record.symbol], [Tag.Side, SIDE[record.side]]);
      this.session.sendApp("H", body);
    });
  }

  private instrument(order: Order): Field[] {
    return [
      [Tag.Symbol, order.symbol],
      [Tag.Side, SIDE[order.side]],
    ];
  }

  private pricing(ordType: OrdType, price: Decimal | null, stopPx: Decimal | null, tif: TimeInForce): Field[] {
    const fields: Field[] = [[Tag.OrdType, ORD_TYPE[ordType]]];
    if (price !== null && ordType !== "Market") fields.push([Tag.Price, price]);
    if (stopPx !== null && (ordType === "Stop" || ordType === "StopLimit")) fields.push([Tag.StopPx, stopPx]);
    fields.push([Tag.TimeInForce, TIF[tif]]);
    return fields;
  }

  private onApp(m: FixMessage): void {
    switch (m.msgType) {
      case "8":
        this.onExecutionReport(m);
        return;
      case "9": {
        const orderId = this.orderIdOf(m.get(Tag.OrigClOrdID)) ?? this.orderIdOf(m.get(Tag.ClOrdID));
        if (!orderId) return;
        const refType = m.get(Tag.CxlRejResponseTo) === "2" ? "G" : "F";
        const report = refusalReport(refType, orderId, rejectReason(m));
        if (report) this.emit(report);
        return;
      }
      case "3":
      case "j":
        this.onRefusal(m);
        return;
      default:
        this.log(`${this.name} ignored application message ${m.msgType}`);
    }
  }

  /** Session Reject (35=3) or BusinessMessageReject (35=j) of one of our messages. */
  private onRefusal(m: FixMessage): void {
    const sent = this.session.store.sent(Number(m.get(Tag.RefSeqNum)));
    if (!sent) return;
    const clOrdId = sent.body.find(([tag]) => tag === Tag.ClOrdID)?.[1];
    const orderId = this.orderIdOf(clOrdId);
    if (!orderId) return;
    const reason = rejectReason(m);
    if (sent.msgType === "H") {
      this.statusWaiters.get(orderId)?.reject(new Error(`${this.name}: status request refused (${reason}); outcome unknown`));
      this.statusWaiters.delete(orderId);
      return;
    }
    const record = this.orders.get(orderId);
    if (sent.msgType === "D" && record) this.save({ ...record, state: "rejected", reason });
    const report = refusalReport(sent.msgType, orderId, reason);
    if (report) this.emit(report);
  }

  private onExecutionReport(m: FixMessage): void {
    const er = readExecutionReport(this.version, m);
    const orderId = this.orderIdOf(er.clOrdId) ?? this.orderIdOf(er.origClOrdId ?? undefined);
    const record = orderId ? this.orders.get(orderId) : undefined;
    if (!orderId || !record) {
      this.log(`${this.name} report for an order we do not know: ${er.clOrdId}`);
      return;
    }
    // ExecIDs are unique per venue order; venues that restart their counters (the QuickFIX
    // examples do) make the ClOrdID part necessary.
    const execKey = `${er.clOrdId}/${er.execId}`;
    if (record.execKeys.includes(execKey)) return; // a PossDup copy, or a resend we already had
    const next: OrderRecord = { ...record, execKeys: [...record.execKeys, execKey] };
    if (er.venueOrderId) next.venueOrderId = er.venueOrderId;
    if (er.state) next.state = er.state;
    if (er.action === "replaced") {
      next.clOrdId = er.clOrdId;
      if (er.orderQty) next.orderQty = er.orderQty;
      next.price = er.price;
    }
    if (er.action === "cancelled" || er.action === "rejected" || er.action === "expired") next.reason = er.text;
    if (er.action === "restated") {
      if (er.orderQty) next.orderQty = er.orderQty;
      if (er.price !== null) next.price = er.price;
    }
    if (er.action === "fill" && money.isPositive(er.lastQty)) {
      next.fills = [...record.fills, { execId: execKey, lastQty: er.lastQty, lastPx: er.lastPx }];
      next.cumQty = money.add(record.cumQty, er.lastQty);
    }
    let refExecKey = refExecKeyOf(er);
    if (er.action === "tradeBusted" || er.action === "tradeCorrected") refExecKey = this.applyBustOrCorrection(next, er, execKey);
    if (er.action === "status") this.applyStatus(next, er.cumQty, er.avgPx, execKey);
    this.save(next);
    // A restatement that names no price keeps the one the order has.
    const reported = er.action === "restated" && er.price === null ? { ...er, price: next.price } : er;
    const report = er.action === "status" ? null : toVenueReport(reported, orderId, execKey, refExecKey);
    if (report) this.emit(report);
    const waiter = this.statusWaiters.get(orderId);
    if (waiter && next.state !== "sent") {
      this.statusWaiters.delete(orderId);
      waiter.resolve();
    }
  }

  /**
   * A bust removes the execution ExecRefID names from the record, a correction replaces its
   * quantity and price (keeping it under its new exec key). Returns the exec key of the execution
   * named: the one with the report's ClOrdID, else the latest with that ExecID (after a replace the
   * ClOrdID moved on).
   */
  private applyBustOrCorrection(next: OrderRecord, er: ExecReport, execKey: string): string {
    const ref = er.execRefId ?? "";
    const exact = refExecKeyOf(er);
    const target = next.fills.find((f) => f.execId === exact) ?? next.fills.findLast((f) => f.execId.endsWith(`/${ref}`));
    if (!target) {
      this.log(`${this.name} ${er.action} of an execution we never booked: ${exact}`);
      return exact;
    }
    const rest = next.fills.filter((f) => f !== target);
    next.fills = er.action === "tradeBusted" ? rest : [...rest, { execId: execKey, lastQty: er.lastQty, lastPx: er.lastPx }];
    next.cumQty = money.sum(next.fills.map((f) => f.lastQty));
    return target.execId;
  }

  /** A status answer says how much traded in all; what we have not seen as fills becomes one. */
  private applyStatus(next: OrderRecord, cumQty: Decimal | null, avgPx: Decimal | null, execKey: string): void {
    if (cumQty === null || !money.gt(cumQty, next.cumQty)) return;
    const missing = money.sub(cumQty, next.cumQty);
    const known = money.sum(next.fills.map((f) => money.mul(f.lastQty, f.lastPx)));
    const px = avgPx === null ? "0" : money.div(money.sub(money.mul(cumQty, avgPx), known), missing, 8);
    next.fills = [...next.fills, { execId: execKey, lastQty: missing, lastPx: px }];
    next.cumQty = cumQty;
  }

  private orderIdOf(clOrdId: string | undefined): string | undefined {
    return clOrdId === undefined ? undefined : this.byClOrdId.get(clOrdId);
  }

  private remember(record: OrderRecord): void {
    this.orders.set(record.orderId, record);
    for (const id of record.clOrdIds) this.byClOrdId.set(id, record.orderId);
  }

  /**
   * What a report taught us: written at once, durable within this turn of the event loop. A crash
   * before that only loses reports the peer resends after the next logon (and the engine dedupes
   * fills by exec id).
   */
  private save(record: OrderRecord): void {
    this.session.store.note(record, false);
    this.remember(record);
  }

  private emit(report: VenueReport): void {
    this.listeners.emit(report);
  }

  /** A message we refused (a field we cannot read: session Reject sent) or failed to handle: alerted, never thrown. */
  private onAppError(m: FixMessage, error: unknown, rejected: boolean): void {
    const orderId = this.orderIdOf(m.get(Tag.ClOrdID)) ?? this.orderIdOf(m.get(Tag.OrigClOrdID)) ?? null;
    const what = `${m.msgType === "8" ? "ExecutionReport" : `message ${m.msgType}`} #${m.seq}${orderId ? ` for ${orderId}` : ""}`;
    if (rejected)
      this.listeners.alert(
        "VENUE_BAD_DATA",
        `${this.name} sent ${what} we cannot read (${describe(error)}); refused with a session Reject, not applied: ${printable(m.raw)}`,
        orderId,
      );
    else this.listeners.fault(`${this.name}: handling ${what} failed: ${describe(error)}`, orderId);
  }
}
