import type { PrismaClient } from "@fillmore/db";
import { z } from "zod";
import type { EngineClient, FixMessageView } from "../engine-client";
import { type AuditEvent, orderHistory } from "../routers/audit";
import { AccountScope } from "../scope";
import type { Columns } from "./columns";

/**
 * One order's complete history as an export: what the Audit page's order history shows, its journaled
 * events (and its child orders', oldest first) and then the FIX messages in and out for it from the
 * engine's session store. What the screen says beside them (FIX messages unavailable, a history cut
 * at 5,000 events) is a row of the file too, so the file never looks more complete than it is.
 */
export const orderTrailInput = z.object({ orderId: z.string().trim().min(1).max(128) }).strict();

export interface TrailLine {
  /** event, FIX out, FIX in, or note. */
  part: string;
  seq: number | null;
  /** The event's time (UTC, to the microsecond) or the FIX SendingTime as sent. */
  time: string | null;
  type: string;
  orderId: string | null;
  /** The event's actor, or the FIX message's venue. */
  by: string | null;
  /** The event's data as JSON, or the FIX message as tag=value fields separated by |. */
  detail: string;
  hash: string | null;
}

export const trailColumns: Columns<TrailLine> = [
  { header: "part", value: (l) => l.part, kind: "text", width: 40 },
  { header: "seq", value: (l) => l.seq, kind: "int", width: 40 },
  { header: "time (UTC)", value: (l) => l.time, kind: "time", width: 120 },
  { header: "type", value: (l) => l.type, kind: "text", width: 90 },
  { header: "orderId", value: (l) => l.orderId, kind: "text", width: 60 },
  { header: "by", value: (l) => l.by, kind: "text", width: 80 },
  { header: "detail", value: (l) => l.detail, kind: "text", width: 300 },
  { header: "hash", value: (l) => l.hash, kind: "text", width: 80, chars: 64 },
];

const eventLine = (e: AuditEvent): TrailLine => ({
  part: "event",
  seq: e.seq,
  time: e.ts,
  type: e.type,
  orderId: e.orderId,
  by: e.actor,
  detail: JSON.stringify(e.data),
  hash: e.hash,
});

/** A FIX message as one line: tag=value fields separated by | (the wire's SOH), its type by name. */
export const fixLine = (orderId: string, m: FixMessageView): TrailLine => ({
  part: m.direction === "out" ? "FIX out" : "FIX in",
  seq: m.seq,
  time: m.sendingTime,
  type: m.msgTypeName ? `${m.msgTypeName} (${m.msgType})` : m.msgType,
  orderId,
  by: m.venueId,
  detail: m.fields.map(([tag, , value]) => `${tag}=${value}`).join("|"),
  hash: null,
});

const note = (orderId: string, detail: string): TrailLine => ({
  part: "note",
  seq: null,
  time: null,
  type: "note",
  orderId,
  by: null,
  detail,
  hash: null,
});

export interface TrailContext {
  prisma: PrismaClient;
  engine?: Pick<EngineClient, "orderFixMessages">;
  scope: unknown;
}

/**
 * The lines of one order's history, loaded before the export starts (at most 5,000 events and the
 * engine's FIX messages): an order outside a bound key's accounts is NOT_FOUND, as on the screen.
 */
export async function orderTrail(ctx: TrailContext, input: z.output<typeof orderTrailInput>): Promise<TrailLine[]> {
  if (!(ctx.scope instanceof AccountScope)) throw new Error("an order's history is exported with the caller's scope");
  const history = await orderHistory(ctx.prisma, ctx.scope, input.orderId); // confinement first
  const lines = history.events.map(eventLine);
  if (history.truncated) lines.push(note(input.orderId, "Only the first 5,000 events of this order are in this file."));
  try {
    if (!ctx.engine) throw new Error("no engine");
    const fix = await ctx.engine.orderFixMessages(input.orderId);
    lines.push(...fix.messages.map((m) => fixLine(input.orderId, m)));
    if (fix.truncated) lines.push(note(input.orderId, "The engine kept only part of this order's FIX messages."));
  } catch (error) {
    lines.push(note(input.orderId, `FIX messages unavailable: ${error instanceof Error ? error.message : String(error)}`));
  }
  return lines;
}
