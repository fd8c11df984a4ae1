import { type Decimal, money } from "@fillmore/shared";
import { field, ratio } from "./decimal";

// SEC Rule 605 as amended in 2024 (../shared/reference/REGULATORY.md §1): the monthly detailed report
// (pipe-delimited, 55 fields, one row per Symbol × LotSizeFlag × OrderSize × OrderType) and the
// summary report (comma-delimited). Pure: covered orders in, file text out. Every field but the
// order count is share-weighted over executions (SLB 12R); unknown fields stay empty, never 0.

const { add, mul, sub, gt, lt, isZero } = money;

export const HORIZONS = ["50millisec", "1sec", "15sec", "1min", "5min"] as const;
export type Horizon = (typeof HORIZONS)[number];

export interface Execution {
  qty: Decimal;
  px: Decimal;
  /** Microseconds after the order's reference time. */
  afterUs: number;
  /** Executed at another venue (CvrdOrderExctdAwayQty), not by the reporter. */
  away: boolean;
  /** NBBO midpoint the horizon after the execution (realized spread); absent: unknown. */
  midAfter?: Partial<Record<Horizon, Decimal>>;
  /** Executed during regular trading hours, 09:30–16:00 ET (fields 53–54); default true. */
  regularHours?: boolean;
  /** Executed on a national securities exchange (field 54); default false. */
  onExchange?: boolean;
}

export interface CoveredOrder {
  symbol: string;
  side: "Buy" | "Sell";
  /** Exh. A order type code, from classify605. */
  orderType: string;
  qty: Decimal;
  /** NBBO at the reference time (§1.2). */
  bid: Decimal;
  ask: Decimal;
  /**
   * Best available displayed price at the reference time (600(b): the better of the NBBO and the best
   * odd-lot order displayed); absent: the NBBO itself (no odd-lot quote better than it was known).
   */
  badp?: { bid: Decimal; ask: Decimal };
  cancelledQty: Decimal;
  executions: Execution[];
  /** The symbol's round lot that month (Rule 600(b)); default 100. */
  roundLot?: Decimal;
  /** S&P 500 member on the first day of the month (summary report). */
  sp500?: boolean;
}

/** Exh. A order type of an order at receipt: market, marketable limit (IOC), midpoint-or-better or other executable limit, stops. */
export function classify605(o: {
  ordType: "Market" | "Limit" | "Stop" | "StopLimit";
  side: "Buy" | "Sell";
  price?: Decimal | null;
  ioc?: boolean;
  bid: Decimal;
  ask: Decimal;
}): string {
  const ioc = o.ioc ? "Y" : "N";
  const stop = o.ordType === "Stop" || o.ordType === "StopLimit" ? "Y" : "N";
  if (o.ordType === "Market" || o.ordType === "Stop") return `MXXN${stop}`;
  const px = o.price ?? "0";
  const marketable = o.side === "Buy" ? !lt(px, o.ask) : !gt(px, o.bid);
  if (marketable) return `LYN${stop === "Y" ? "N" : ioc}${stop}`;
  const mid = money.div(add(o.bid, o.ask), "2", 12);
  const midOrBetter = o.side === "Buy" ? !lt(px, mid) : !gt(px, mid);
  if (stop === "Y") return "LNNNY";
  return `LN${midOrBetter ? "Y" : "N"}${ioc}N`;
}

/** Notional size bucket: shares × midpoint at receipt. */
export function sizeBucket(notional: Decimal): string {
  const bounds: [string, string][] = [
    ["250", "0"],
    ["1000", "250"],
    ["5000", "1000"],
    ["10000", "5000"],
    ["20000", "10000"],
    ["50000", "20000"],
    ["200000", "50000"],
  ];
  for (const [upper, code] of bounds) if (lt(notional, upper)) return code;
  return "200000";
}

/** Fractional, odd lot, round lot or more [verify literals: early files show ROUND]. */
export function lotSizeFlag(qty: Decimal, roundLot: Decimal = "100"): string {
  if (lt(qty, "1")) return "FRACTIONAL";
  return lt(qty, roundLot) ? "ODD" : "ROUND";
}

/** Time-to-execution buckets [previous bound, named bound), in µs. */
const SPEED: [string, number][] = [
  ["CvrdOrderQtyto100microsec", 100],
  ["CvrdOrderQtyto1millisec", 1_000],
  ["CvrdOrderQtyto10millisec", 10_000],
  ["CvrdOrderQtyto1sec", 1_000_000],
  ["CvrdOrderQtyto10sec", 10_000_000],
  ["CvrdOrderQtyto30sec", 30_000_000],
  ["CvrdOrderQtyto5min", 300_000_000],
];

export const DETAILED_FIELDS = [
  "DsgntParticipant",
  "RprtEntityCd",
  "RptDate",
  "Symbol",
  "LotSizeFlag",
  "OrderSize",
  "OrderType",
  "CvrdOrderCnt",
  "CvrdOrderSize",
  "CvrdOrderQty",
  "CvrdOrderCnclQty",
  "CvrdOrderExctdQty",
  "CvrdOrderExctdAwayQty",
  ...SPEED.map(([name]) => name),
  "CvrdOrderQtyOthr",
  ...HORIZONS.map((h) => `AvgRealSprd${h}`),
  ...HORIZONS.map((h) => `AvgRealSprdPct${h}`),
  "ExctdOrderMidPtAvg",
  "ExctdOrderAvgQuotSprd",
  "AvgEffctvSprd",
  "AvgEffctvSprdPct",
  "AvgEFQPct",
  "ExctdPIOrdersQty",
  "ExctdPIOrdWghtdAvgAmtPerShare",
  "ExctdPIOrdWghtdAvgTime",
  "ExctdOrderAtQuotQty",
  "ExctdAtQuotOrdWghtdAvgTime",
  "ExctdOrderOutQuotQty",
  "ExctdOutQuotOrdWghtdAvgAmt",
  "ExctdOutQuotOrdWghtdAvgTime",
  // 45–49 against the best available displayed price (marketable types); 50–51 size improvement (not
  // computed: no displayed sizes); 52–55 fill statistics (non-marketable limit and stop types).
  "ExctdPIOrderRltvBestPrQty",
  "ExctdPIOrderRltvBestPrWghtdAvg",
  "ExctdOrderAtBestPrQty",
  "ExctdOrderOutBestPrQty",
  "ExctdOrderOutBestPrWghtdAvgAmt",
  "ExctdOrderSizeBnchmrkQty",
  "ExctdSIOutsizedQty",
  "FilledOrderCnt",
  "RegExctdOrderQty",
  "RegExctdOrderOnXchngQty",
  "FilledOrderWghtdAvgTime",
] as const;

const mids = new Map<string, Decimal>();
/** The NBBO midpoint (B + A)/2, exact (a half never needs more than one more place); memoised, few quotes repeat a lot. */
function midpoint(bid: Decimal, ask: Decimal): Decimal {
  const key = `${bid}|${ask}`;
  let mid = mids.get(key);
  if (mid === undefined) {
    if (mids.size > 10_000) mids.clear();
    mid = money.div(add(bid, ask), "2", 12);
    mids.set(key, mid);
  }
  return mid;
}

/** Microseconds as milliseconds, exact (a decimal shift, no division). */
export function usToMs(us: number): Decimal {
  const digits = String(Math.abs(Math.trunc(us))).padStart(4, "0");
  return money.normalize(`${us < 0 ? "-" : ""}${digits.slice(0, -3)}.${digits.slice(-3)}`);
}

/** Share-weighted sums of one row (a group of covered orders). */
class Stats {
  count = 0;
  notional = "0";
  qty = "0";
  cancelled = "0";
  executed = "0";
  away = "0";
  speed = new Map<string, Decimal>();
  /** Over the reporter's executions: Σq, Σq·M, Σq·QS, Σq·ES, Σq·ES/M. */
  q = "0";
  qMid = "0";
  qQs = "0";
  qEs = "0";
  qEsPct = "0";
  rs = new Map<Horizon, { q: Decimal; rs: Decimal; pct: Decimal }>();
  pi = { q: "0", amt: "0", time: "0" };
  at = { q: "0", time: "0" };
  out = { q: "0", amt: "0", time: "0" };
  times = "0";
  /** Against the BADP: improved (shares, Σq·amount), at it (shares), outside (shares, Σq·amount). */
  badp = { pi: { q: "0", amt: "0" }, at: "0", out: { q: "0", amt: "0" } };
  /** Fill statistics: orders executed in full; shares executed in RTH, of them on an exchange; Σq·ms of fully executed orders. */
  filled = { count: 0, q: "0", time: "0" };
  regular = { q: "0", onExchange: "0" };

  add(o: CoveredOrder, notional: Decimal): void {
    this.count += 1;
    this.notional = add(this.notional, notional);
    this.qty = add(this.qty, o.qty);
    this.cancelled = add(this.cancelled, o.cancelledQty);
    const mid = midpoint(o.bid, o.ask);
    const qs = sub(o.ask, o.bid);
    const best = o.badp ?? { bid: o.bid, ask: o.ask };
    const executedAll = money.sum(o.executions.map((e) => e.qty));
    const full = o.executions.length > 0 && !lt(executedAll, o.qty);
    if (full) this.filled.count += 1;
    for (const e of o.executions) {
      if (e.regularHours !== false) {
        this.regular.q = add(this.regular.q, e.qty);
        if (e.onExchange) this.regular.onExchange = add(this.regular.onExchange, e.qty);
      }
      if (full) this.filled = { ...this.filled, q: add(this.filled.q, e.qty), time: add(this.filled.time, mul(e.qty, usToMs(e.afterUs))) };
      const bucket = SPEED.find(([, us]) => e.afterUs < us)?.[0] ?? "CvrdOrderQtyOthr";
      this.speed.set(bucket, add(this.speed.get(bucket) ?? "0", e.qty));
      if (e.away) {
        this.away = add(this.away, e.qty);
        continue;
      }
      this.executed = add(this.executed, e.qty);
      const sign = o.side === "Buy" ? "1" : "-1";
      const es = mul(mul("2", sign), sub(e.px, mid));
      this.q = add(this.q, e.qty);
      this.qMid = add(this.qMid, mul(e.qty, mid));
      this.qQs = add(this.qQs, mul(e.qty, qs));
      this.qEs = add(this.qEs, mul(e.qty, es));
      this.qEsPct = add(this.qEsPct, mul(e.qty, money.div(es, mid, 12)));
      const ms = usToMs(e.afterUs);
      this.times = add(this.times, mul(e.qty, ms));
      for (const h of HORIZONS) {
        const mh = e.midAfter?.[h];
        if (mh === undefined) continue;
        const rs = mul(mul("2", sign), sub(e.px, mh));
        const acc = this.rs.get(h) ?? { q: "0", rs: "0", pct: "0" };
        this.rs.set(h, { q: add(acc.q, e.qty), rs: add(acc.rs, mul(e.qty, rs)), pct: add(acc.pct, mul(e.qty, money.div(rs, mid, 12))) });
      }
      // Price improvement against the far side of the NBBO: buys against A, sells against B.
      const improvement = o.side === "Buy" ? sub(o.ask, e.px) : sub(e.px, o.bid);
      if (gt(improvement, "0")) {
        this.pi = { q: add(this.pi.q, e.qty), amt: add(this.pi.amt, mul(e.qty, improvement)), time: add(this.pi.time, mul(e.qty, ms)) };
      } else if (isZero(improvement)) {
        this.at = { q: add(this.at.q, e.qty), time: add(this.at.time, mul(e.qty, ms)) };
      } else {
        this.out = {
          q: add(this.out.q, e.qty),
          amt: add(this.out.amt, mul(e.qty, money.neg(improvement))),
          time: add(this.out.time, mul(e.qty, ms)),
        };
      }
      // The same against the best available displayed price.
      const vsBest = o.side === "Buy" ? sub(best.ask, e.px) : sub(e.px, best.bid);
      if (gt(vsBest, "0")) this.badp.pi = { q: add(this.badp.pi.q, e.qty), amt: add(this.badp.pi.amt, mul(e.qty, vsBest)) };
      else if (isZero(vsBest)) this.badp.at = add(this.badp.at, e.qty);
      else this.badp.out = { q: add(this.badp.out.q, e.qty), amt: add(this.badp.out.amt, mul(e.qty, money.neg(vsBest))) };
    }
  }

  avgEs = () => ratio(this.qEs, this.q);
  avgQs = () => ratio(this.qQs, this.q);
  avgMid = () => ratio(this.qMid, this.q);
}

/** Marketable types (market, marketable limit and IOC, and the stops that trigger as such): BADP columns 45–49 [verify]. */
export const MARKETABLE_TYPES = new Set(["MXXNN", "LYNNN", "LYNYN", "MXXNY", "LYNNY"]);
/** Non-marketable limit types and the stop types: fill statistics 52–55 [verify]. */
export const FILL_STAT_TYPES = new Set(["LNYNN", "LNYYN", "LNNNN", "LNNYN", "MXXNY", "LYNNY", "LNNNY"]);

/** Fields 45–49, empty for types they do not apply to. */
function badpFields(orderType: string, s: Stats): string[] {
  if (!MARKETABLE_TYPES.has(orderType)) return ["", "", "", "", ""];
  const b = s.badp;
  return [field(b.pi.q), field(ratio(b.pi.amt, b.pi.q)), field(b.at), field(b.out.q), field(ratio(b.out.amt, b.out.q))];
}

/** Fields 52–55, empty for types they do not apply to. */
function fillFields(orderType: string, s: Stats): string[] {
  if (!FILL_STAT_TYPES.has(orderType)) return ["", "", "", ""];
  return [String(s.filled.count), field(s.regular.q), field(s.regular.onExchange), field(ratio(s.filled.time, s.filled.q))];
}

function groupKey(o: CoveredOrder): { key: string; notional: Decimal; flag: string; size: string } {
  const notional = mul(o.qty, midpoint(o.bid, o.ask));
  const flag = lotSizeFlag(o.qty, o.roundLot);
  const size = sizeBucket(notional);
  return { key: JSON.stringify([o.symbol, flag, size, o.orderType]), notional, flag, size };
}

export interface ReportHeader {
  /** The Designated Participant (the plan's processor) [verify]. */
  dsgntParticipant: string;
  rprtEntityCd: string;
  /** YYYYMM */
  month: string;
}

/** The detailed monthly report: header row, then one pipe-delimited row per group, sorted by key. */
export function rule605Detailed(header: ReportHeader, orders: readonly CoveredOrder[]): string {
  const groups = new Map<string, { stats: Stats; row: string[] }>();
  for (const o of orders) {
    const g = groupKey(o);
    let entry = groups.get(g.key);
    if (!entry) {
      entry = {
        stats: new Stats(),
        row: [header.dsgntParticipant, header.rprtEntityCd, header.month, o.symbol, g.flag, g.size, o.orderType],
      };
      groups.set(g.key, entry);
    }
    entry.stats.add(o, g.notional);
  }
  const lines = [DETAILED_FIELDS.join("|")];
  for (const [, { stats: s, row }] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const avgEs = s.avgEs();
    const avgQs = s.avgQs();
    const cells = [
      ...row,
      String(s.count),
      field(s.notional),
      field(s.qty),
      field(s.cancelled),
      field(s.executed),
      field(s.away),
      ...SPEED.map(([name]) => field(s.speed.get(name) ?? "0")),
      field(s.speed.get("CvrdOrderQtyOthr") ?? "0"),
      ...HORIZONS.map((h) => field(s.rs.get(h) ? ratio(s.rs.get(h)?.rs ?? "0", s.rs.get(h)?.q ?? "0") : null)),
      ...HORIZONS.map((h) => field(s.rs.get(h) ? ratio(s.rs.get(h)?.pct ?? "0", s.rs.get(h)?.q ?? "0") : null)),
      field(s.avgMid()),
      field(avgQs),
      field(avgEs),
      field(ratio(s.qEsPct, s.q)),
      field(avgEs !== null && avgQs !== null ? ratio(avgEs, avgQs) : null),
      field(s.pi.q),
      field(ratio(s.pi.amt, s.pi.q)),
      field(ratio(s.pi.time, s.pi.q)),
      field(s.at.q),
      field(ratio(s.at.time, s.at.q)),
      field(s.out.q),
      field(ratio(s.out.amt, s.out.q)),
      field(ratio(s.out.time, s.out.q)),
      ...badpFields(row[6] as string, s),
      "", // ExctdOrderSizeBnchmrkQty: needs the displayed size at the NBBO, which Fillmore's quotes lack
      "", // ExctdSIOutsizedQty: the same
      ...fillFields(row[6] as string, s),
    ];
    lines.push(cells.join("|"));
  }
  return `${lines.join("\n")}\n`;
}

export const SUMMARY_FIELDS = [
  "DsgntParticipant",
  "RprtEntityCd",
  "RptDate",
  "Sp500",
  "OrderSize",
  "OrderType",
  "AvgOrderQty",
  "AvgOrderSize",
  "ExctdOrderMidPtAvg",
  "PctExctdAtQuotOrBetter",
  "PctExctdPI",
  "WghtdAvgPctPI",
  "AvgEffctvSprdPct",
  "AvgPctQuotSprd",
  "AvgEFQPct",
  "AvgRealSprdPct15sec",
  "AvgRealSprdPct1min",
  "WghtdAvgExctnTime",
] as const;

/** Summary types: M (market) and ML (marketable limit, IOC included). */
const SUMMARY_TYPE: Record<string, string> = { MXXNN: "M", LYNNN: "ML", LYNYN: "ML" };

/** The summary report (605(a)(2)): CRLF, comma-delimited, one row per Sp500 × type × size (199999 = every size under $200k). */
export function rule605Summary(header: ReportHeader, orders: readonly CoveredOrder[]): string {
  const groups = new Map<string, Stats>();
  const put = (key: string, o: CoveredOrder, notional: Decimal) => {
    const s = groups.get(key) ?? new Stats();
    s.add(o, notional);
    groups.set(key, s);
  };
  for (const o of orders) {
    const type = SUMMARY_TYPE[o.orderType];
    if (!type) continue;
    const g = groupKey(o);
    const sp = o.sp500 ? "Y" : "N";
    put(JSON.stringify([sp, g.size, type]), o, g.notional);
    if (g.size !== "200000") put(JSON.stringify([sp, "199999", type]), o, g.notional);
  }
  const lines = [SUMMARY_FIELDS.join(",")];
  for (const [key, s] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [sp, size, type] = JSON.parse(key) as [string, string, string];
    const avgEs = s.avgEs();
    const avgQs = s.avgQs();
    const avgMid = s.avgMid();
    const rs = (h: Horizon) => {
      const r = s.rs.get(h);
      return r ? ratio(r.pct, r.q) : null;
    };
    lines.push(
      [
        header.dsgntParticipant,
        header.rprtEntityCd,
        header.month,
        sp,
        size,
        type,
        field(ratio(s.qty, String(s.count))),
        field(ratio(s.notional, String(s.count))),
        field(avgMid),
        field(ratio(add(s.pi.q, s.at.q), s.executed)),
        field(ratio(s.pi.q, s.executed)),
        field(ratio(sub(s.pi.amt, s.out.amt), s.qMid)),
        field(ratio(s.qEsPct, s.q)),
        field(avgQs !== null && avgMid !== null ? ratio(avgQs, avgMid) : null),
        field(avgEs !== null && avgQs !== null ? ratio(avgEs, avgQs) : null),
        field(rs("15sec")),
        field(rs("1min")),
        field(ratio(s.times, s.q)),
      ].join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** `<RprtEntityCd><YYYYMM>.csv` */
export const summaryFileName = (h: ReportHeader) => `${h.rprtEntityCd}${h.month}.csv`;
