import { money } from "@fillmore/shared";

// CAT order-lifecycle events an executing broker reports for agency orders it routes to venues
// (../shared/reference/REGULATORY.md §3): MENO when the order is received, MEOR for each route, MEOM
// for a modify, MEOC for a cancel. JSON, one record per line; timestamps in US Eastern time as
// `YYYYMMDD HHMMSS.CCCNNNNNN` (Fillmore records microseconds: the last three digits are 000); the
// Order Key is (orderKeyDate, CATReporterIMID, symbol, orderID). No MEOT: the venue executes and reports.
// Pure: the journal's order events in, records and file name out.

export interface CatEventInput {
  type: string;
  orderId: string | null;
  /** UTC ISO-8601 with microseconds, as journaled. */
  ts: string;
  seq: number;
  data: Record<string, unknown>;
}

export interface CatFirm {
  submitterId: string;
  /** Alphanumeric(7). */
  reporterImid: string;
  /** Destination IMIDs by venue id (`<CRD>:<IMID>` for members, exchange codes for exchanges). */
  destinations: Record<string, { destination: string; destinationType: "E" | "F" }>;
}

export type CatRecord = Record<string, unknown>;

const eastern = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** "2026-08-03T14:00:00.000001Z" → "20260803 100000.000001000" (Eastern, 9 fractional digits). */
export function catTimestamp(utcIso: string): string {
  const ms = Date.parse(utcIso);
  const parts = Object.fromEntries(eastern.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const micros = (/\.(\d{1,6})/.exec(utcIso)?.[1] ?? "").padEnd(6, "0");
  return `${parts.year}${parts.month}${parts.day} ${parts.hour}${parts.minute}${parts.second}.${micros}000`;
}

const SIDE: Record<string, string> = { Buy: "B", Sell: "SL", SellShort: "SS" };
const ORDER_TYPE: Record<string, string> = { Market: "MKT", Limit: "LMT", Stop: "MKT", StopLimit: "LMT", TrailingStop: "MKT" };

function tif(order: Record<string, unknown>, keyDate: string): Record<string, string> {
  const t = String(order.timeInForce ?? "DAY");
  if (t === "DAY") return { DAY: keyDate.slice(0, 8) };
  if (t === "GTD")
    return {
      GTD: String(order.expireTime ?? "")
        .slice(0, 10)
        .replace(/-/g, ""),
    };
  return { [t]: "" };
}

/** Records for one trading day's events, in journal order; firmROEID `YYYYMMDD_<seq>`, unique per day. */
export function catRecords(firm: CatFirm, events: readonly CatEventInput[]): CatRecord[] {
  const keys = new Map<string, { orderKeyDate: string; symbol: string; order: Record<string, unknown>; filled: string }>();
  const records: CatRecord[] = [];
  for (const e of events) {
    if (!e.orderId) continue;
    const eventTimestamp = catTimestamp(e.ts);
    const header = (type: string, key: { orderKeyDate: string; symbol: string }) => ({
      actionType: "NEW",
      firmROEID: `${eventTimestamp.slice(0, 8)}_${e.seq}`,
      type,
      CATReporterIMID: firm.reporterImid,
      orderKeyDate: key.orderKeyDate,
      orderID: e.orderId,
      symbol: key.symbol,
      eventTimestamp,
    });
    if (e.type === "OrderReceived") {
      const order = (e.data.order ?? {}) as Record<string, unknown>;
      const key = { orderKeyDate: eventTimestamp, symbol: String(order.symbol ?? ""), order, filled: "0" };
      keys.set(e.orderId, key);
      const handling: string[] = [];
      if (order.stopPx) handling.push(`STOP=${order.stopPx}`);
      records.push({
        ...header("MENO", key),
        manualFlag: false,
        deptType: "A",
        side: SIDE[String(order.side)] ?? String(order.side),
        ...(order.price ? { price: String(order.price) } : {}),
        quantity: Number(order.orderQty),
        orderType: ORDER_TYPE[String(order.ordType)] ?? "MKT",
        timeInForce: tif(order, eventTimestamp),
        tradingSession: "REG",
        ...(handling.length ? { handlingInstructions: handling.join("|") } : {}),
        firmDesignatedID: String(order.accountId ?? ""),
        accountHolderType: "I",
        representativeInd: "N",
      });
      continue;
    }
    const key = keys.get(e.orderId);
    if (!key) continue; // received before this file's events: its MENO is in an earlier file
    if (e.type === "OrderFilled" || e.type === "OrderPartiallyFilled") {
      key.filled = money.add(key.filled, String(e.data.lastQty ?? "0"));
    } else if (e.type === "OrderReplaced") {
      key.order = { ...key.order, orderQty: e.data.orderQty, price: e.data.price };
    }
    if (e.type === "OrderSubmitted") {
      const venueId = String(e.data.venueId ?? "");
      const dest = firm.destinations[venueId] ?? { destination: venueId, destinationType: "F" as const };
      records.push({
        ...header("MEOR", key),
        manualFlag: false,
        senderIMID: `${firm.reporterImid}`,
        destination: dest.destination,
        destinationType: dest.destinationType,
        routedOrderID: String(e.data.venueOrderId ?? e.orderId),
        ...(dest.destinationType === "E" ? { session: "REG" } : {}),
        side: SIDE[String(key.order.side)] ?? String(key.order.side),
        quantity: Number(key.order.orderQty),
        orderType: ORDER_TYPE[String(key.order.ordType)] ?? "MKT",
        handlingInstructions: "RAR",
        routeRejectedFlag: false,
        isoInd: "NA",
      });
    } else if (e.type === "OrderReplaced") {
      records.push({
        ...header("MEOM", key),
        manualFlag: false,
        initiator: "C",
        quantity: Number(e.data.orderQty),
        leavesQty: Number(money.max("0", money.sub(String(e.data.orderQty), key.filled))),
        ...(e.data.price ? { price: String(e.data.price) } : {}),
        side: SIDE[String(key.order.side)] ?? String(key.order.side),
      });
    } else if (e.type === "OrderCancelled") {
      records.push({
        ...header("MEOC", key),
        manualFlag: false,
        initiator: "C",
        cancelQty: Number(money.max("0", money.sub(String(key.order.orderQty), key.filled))),
        leavesQty: 0,
      });
    }
  }
  return records;
}

const stem = (firm: CatFirm, date: string, group: string, sequence: number) =>
  `${firm.submitterId}_${firm.reporterImid}_${date.replace(/-/g, "")}_${group}_OrderEvents_${String(sequence).padStart(6, "0")}`;

/** `<CATSubmitterID>_<CATReporterIMID>_<YYYYMMDD>_<Group>_OrderEvents_<NNNNNN>.json.bz2`: the data file as submitted. */
export function catFileName(firm: CatFirm, date: string, group: string, sequence: number): string {
  return `${stem(firm, date, group, sequence)}.json.bz2`;
}

/** The companion metadata file: the data file's name with `.meta.json` for `.json.bz2` [verify the exact name]. */
export function catMetadataFileName(firm: CatFirm, date: string, group: string, sequence: number): string {
  return `${stem(firm, date, group, sequence)}.meta.json`;
}

export interface CatMetadata {
  /** The data file it describes. */
  dataFileName: string;
  /** Records (lines) in the data file. */
  recordCount: number;
  /** SHA-256 (hex) of the compressed data file, exactly the bytes submitted. */
  compressedHash: string;
  /** Bytes of the compressed data file. */
  compressedSize: number;
  compression: "bzip2";
  submitter: string;
  reporter: string;
  /** The files of this reporter, day and group are complete. */
  doneForDay: boolean;
}

/** The metadata record of a compressed data file [verify field names against the IM Tech Specs §6 before filing]. */
export function catMetadata(
  firm: CatFirm,
  dataFileName: string,
  recordCount: number,
  compressed: { sha256: string; bytes: number },
): CatMetadata {
  return {
    dataFileName,
    recordCount,
    compressedHash: compressed.sha256,
    compressedSize: compressed.bytes,
    compression: "bzip2",
    submitter: firm.submitterId,
    reporter: firm.reporterImid,
    doneForDay: true,
  };
}

/** One JSON record per line. */
export const catFile = (records: readonly CatRecord[]) => records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : "");
