import type { Order } from "@fillmore/shared";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatTime, statusClass } from "../../lib/format";
import { pxText, qtyText } from "./cell-format";
import { type CellContext, isHeldStop, SORT_KEYS } from "./sort-keys";

export { type CellContext, isHeldStop, shownStatus } from "./sort-keys";

export interface Column {
  id: string;
  label: string;
  /** Width in px (the table has a fixed layout, so rows never reflow as values change). */
  width: number;
  num?: boolean;
  /** Shown until the user chooses otherwise. */
  defaultVisible: boolean;
  /** Cannot be hidden (the order link). */
  required?: boolean;
  /** Sort key; numbers sort numerically, strings by text. */
  sortKey: (o: Order, ctx: CellContext) => string | number;
  /** First click sorts this way (times newest first, everything else ascending). */
  firstDir?: "asc" | "desc";
  className?: (o: Order) => string | undefined;
  cell: (o: Order, ctx: CellContext) => ReactNode;
}

const dash = <span className="muted-cell">—</span>;

export const COLUMNS: readonly Column[] = [
  {
    id: "time",
    label: "Time",
    width: 88,
    defaultVisible: true,
    sortKey: SORT_KEYS.time,
    firstDir: "desc",
    className: () => "mono",
    cell: (o) => formatTime(o.createdAt),
  },
  {
    id: "clOrdId",
    label: "ClOrdID",
    width: 112,
    defaultVisible: true,
    required: true,
    sortKey: SORT_KEYS.clOrdId,
    className: () => "mono clordid",
    cell: (o) => (
      <Link href={`/orders/${encodeURIComponent(o.orderId)}`} prefetch={false} title={o.clOrdId}>
        {o.parentId ? `↳ ${o.clOrdId}` : o.clOrdId}
      </Link>
    ),
  },
  { id: "account", label: "Account", width: 84, defaultVisible: true, sortKey: SORT_KEYS.account, cell: (o) => o.accountId },
  {
    id: "symbol",
    label: "Symbol",
    width: 64,
    defaultVisible: true,
    sortKey: SORT_KEYS.symbol,
    className: () => "strong",
    cell: (o) => o.symbol,
  },
  {
    id: "side",
    label: "Side",
    width: 38,
    defaultVisible: true,
    sortKey: SORT_KEYS.side,
    className: (o) => (o.side === "Buy" ? "buy" : "sell"),
    cell: (o) => o.side,
  },
  { id: "type", label: "Type", width: 78, defaultVisible: true, sortKey: SORT_KEYS.type, cell: (o) => o.ordType },
  {
    id: "qty",
    label: "Qty",
    width: 50,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.qty,
    cell: (o) => qtyText(o.orderQty),
  },
  {
    id: "filled",
    label: "Filled",
    width: 50,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.filled,
    cell: (o) => qtyText(o.cumQty),
  },
  {
    id: "leaves",
    label: "Leaves",
    width: 50,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.leaves,
    cell: (o) => qtyText(o.leavesQty),
  },
  {
    id: "limitPx",
    label: "Limit Px",
    width: 66,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.limitPx,
    cell: (o, c) => pxText(o.price, c.places),
  },
  {
    id: "avgPx",
    label: "Avg Px",
    width: 80,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.avgPx,
    cell: (o, c) => pxText(o.avgPx, (c.places ?? 2) + 2),
  },
  {
    id: "status",
    label: "Status",
    width: 96,
    defaultVisible: true,
    sortKey: SORT_KEYS.status,
    cell: (o) =>
      isHeldStop(o) ? (
        <span className="status status-held" title="Validated: held by the engine until the stop price trades, then sent to a venue">
          Held
        </span>
      ) : (
        <span className={statusClass(o.ordStatus)} title={o.rejectReason ?? undefined}>
          {o.ordStatus}
        </span>
      ),
  },
  {
    id: "venue",
    label: "Venue",
    width: 70,
    defaultVisible: true,
    sortKey: SORT_KEYS.venue,
    cell: (o, c) =>
      o.venueId ??
      (c.isSplitParent ? (
        "split"
      ) : isHeldStop(o) ? (
        <span className="muted-cell" title="Held by the engine; routed when the stop triggers">
          engine
        </span>
      ) : (
        "—"
      )),
  },
  { id: "tif", label: "TIF", width: 36, defaultVisible: true, sortKey: SORT_KEYS.tif, cell: (o) => o.timeInForce },
  {
    id: "stopPx",
    label: "Stop Px",
    width: 64,
    num: true,
    defaultVisible: true,
    sortKey: SORT_KEYS.stopPx,
    className: (o) => (isHeldStop(o) ? "held-px" : undefined),
    cell: (o, c) => (o.stopPx === null ? dash : pxText(o.stopPx, c.places)),
  },
  {
    id: "lastPx",
    label: "Last Px",
    width: 76,
    num: true,
    defaultVisible: false,
    sortKey: SORT_KEYS.lastPx,
    cell: (_o, c) => (c.lastFill ? pxText(c.lastFill.lastPx, c.places) : dash),
  },
  {
    id: "lastQty",
    label: "Last Qty",
    width: 62,
    num: true,
    defaultVisible: false,
    sortKey: SORT_KEYS.lastQty,
    cell: (_o, c) => (c.lastFill ? qtyText(c.lastFill.lastQty) : dash),
  },
  {
    id: "strategy",
    label: "Strategy",
    width: 96,
    defaultVisible: false,
    sortKey: SORT_KEYS.strategy,
    className: () => "ellipsis",
    cell: (o) => (o.strategy ? <span title={o.strategy}>{o.strategy}</span> : dash),
  },
  {
    id: "text",
    label: "Text",
    width: 180,
    defaultVisible: false,
    sortKey: SORT_KEYS.text,
    className: () => "ellipsis",
    cell: (o) => (o.rejectReason ? <span title={o.rejectReason}>{o.rejectReason}</span> : dash),
  },
  {
    id: "updated",
    label: "Updated",
    width: 92,
    defaultVisible: false,
    sortKey: SORT_KEYS.updated,
    firstDir: "desc",
    className: () => "mono",
    cell: (o) => formatTime(o.updatedAt),
  },
  {
    id: "orderId",
    label: "Order ID",
    width: 80,
    defaultVisible: false,
    sortKey: SORT_KEYS.orderId,
    className: () => "mono",
    cell: (o) => o.orderId,
  },
];

export const COLUMN_BY_ID = new Map(COLUMNS.map((c) => [c.id, c]));
export const DEFAULT_COLUMNS: readonly string[] = COLUMNS.filter((c) => c.defaultVisible).map((c) => c.id);
