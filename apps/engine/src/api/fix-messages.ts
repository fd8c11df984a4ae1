import type { FixMessageView, Order } from "@fillmore/shared";
import { z } from "zod";
import { CommandError } from "../orders/errors";
import { Tag } from "../venues/fix/codec";
import { type RecordedMessage, readRecordedMessages } from "../venues/fix/session-store";

/** One FIX venue this engine runs and its session store file. */
export interface FixStore {
  venueId: string;
  file: string;
}

/** At most this many messages per order (the newest). */
export const FIX_MESSAGES_LIMIT = 500;

const MSG_TYPE_NAMES: Record<string, string> = {
  "3": "Reject",
  "8": "ExecutionReport",
  "9": "OrderCancelReject",
  D: "NewOrderSingle",
  F: "OrderCancelRequest",
  G: "OrderCancelReplaceRequest",
  H: "OrderStatusRequest",
  j: "BusinessMessageReject",
};
const TAG_NAMES = new Map<number, string>(Object.entries(Tag).map(([name, tag]) => [tag, name]));

export const fixMessagesOrderId = z.string().trim().min(1).max(128);

/** The order ids of the order and its child orders, as the adapter's ClOrdIDs name them. */
function orderIds(orderId: string, orders: readonly Order[]): Set<string> {
  return new Set([orderId, ...orders.filter((o) => o.parentId === orderId).map((o) => o.orderId)]);
}

/** The order a ClOrdID belongs to: the order id itself, or `<orderId>.C<seq>` / `.R<seq>` (fix-venue.ts). */
function orderOf(clOrdId: string | undefined): string | undefined {
  return clOrdId?.replace(/\.[CR]\d+$/, "");
}

const field = (m: RecordedMessage, tag: number) => m.body.find(([t]) => t === tag)?.[1];

/** One store's messages for these orders; a Reject/BusinessMessageReject counts when it refers to one of them. */
async function fromStore(store: FixStore, ids: Set<string>): Promise<{ views: FixMessageView[]; dropped: number }> {
  let ours = new Set<number>(); // our outgoing numbers for these orders, since the last reset
  const wanted = (m: RecordedMessage) => {
    const id = orderOf(field(m, Tag.ClOrdID));
    const orig = orderOf(field(m, Tag.OrigClOrdID));
    const matches = (id !== undefined && ids.has(id)) || (orig !== undefined && ids.has(orig));
    if (m.direction === "out" && matches) ours.add(m.seq);
    if (matches) return true;
    return m.direction === "in" && (m.msgType === "3" || m.msgType === "j") && ours.has(Number(field(m, Tag.RefSeqNum)));
  };
  const reset = () => {
    ours = new Set();
  };
  const { messages, dropped } = await readRecordedMessages(store.file, [...ids], wanted, reset, FIX_MESSAGES_LIMIT);
  const views = messages.map(
    (m): FixMessageView => ({
      venueId: store.venueId,
      direction: m.direction,
      seq: m.seq,
      msgType: m.msgType,
      msgTypeName: MSG_TYPE_NAMES[m.msgType] ?? null,
      sendingTime: m.sendingTime,
      fields: m.body.map(([tag, value]) => [tag, TAG_NAMES.get(tag) ?? null, value]),
    }),
  );
  return { views, dropped };
}

/**
 * Every FIX message in and out for an order and its child orders, from the session stores of the FIX
 * venues this engine runs, oldest first (by SendingTime across venues; store order within one), the
 * newest FIX_MESSAGES_LIMIT. An order never sent over FIX has none. Unknown order: NOT_FOUND.
 */
export async function orderFixMessages(
  rawOrderId: unknown,
  orders: { get(orderId: string): Order | undefined; all(): Order[] },
  stores: readonly FixStore[],
): Promise<{ orderId: string; messages: FixMessageView[]; truncated: boolean }> {
  const parsed = fixMessagesOrderId.safeParse(rawOrderId);
  if (!parsed.success) throw new CommandError("INVALID_INPUT", "orderId: 1 to 128 characters");
  const orderId = parsed.data;
  if (!orders.get(orderId)) throw new CommandError("NOT_FOUND", `no order ${orderId}`);
  const ids = orderIds(orderId, orders.all());
  const perStore = await Promise.all(stores.map((s) => fromStore(s, ids)));
  const contributing = perStore.filter((s) => s.views.length > 0);
  const all = contributing.flatMap((s) => s.views);
  if (contributing.length > 1) all.sort((a, b) => (a.sendingTime < b.sendingTime ? -1 : a.sendingTime > b.sendingTime ? 1 : 0));
  const dropped = perStore.reduce((n, s) => n + s.dropped, 0);
  return { orderId, messages: all.slice(-FIX_MESSAGES_LIMIT), truncated: dropped > 0 || all.length > FIX_MESSAGES_LIMIT };
}
