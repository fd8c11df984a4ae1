import { isTerminal, type Order } from "@fillmore/shared";
import { memo, useLayoutEffect, useRef } from "react";
import type { LastFill } from "../../lib/order-store";
import { type Column, isHeldStop } from "./columns";

const MODIFIABLE = new Set(["Validated", "Accepted", "PartiallyFilled"]);

export interface RowProps {
  order: Order;
  columns: readonly Column[];
  flash: boolean;
  places: number | undefined;
  isSplitParent: boolean;
  lastFill: LastFill | undefined;
  canCancel: boolean;
  canModify: boolean;
  onCancel: (orderId: string) => void;
  onModify: (orderId: string) => void;
}

/**
 * One blotter row. Memoised on its props: the order object only changes when the order does (the
 * store keeps unchanged orders by reference) and the callbacks are stable, so a frame of updates
 * re-renders only the rows that changed. The parent keys it by orderId, so a changed row is patched
 * in place (only its changed cells), not rebuilt; its flash animation is replayed instead.
 */
export const BlotterRow = memo(function BlotterRow({
  order: o,
  columns,
  flash,
  places,
  isSplitParent,
  lastFill,
  canCancel,
  canModify,
  onCancel,
  onModify,
}: RowProps) {
  const ctx = { places, isSplitParent, lastFill };
  const tr = useRef<HTMLTableRowElement>(null);
  const mounted = useRef(false);
  // A row that flashed for an earlier change keeps its class: replay its (CSS) animations from the
  // start. (A row that mounts flashing plays them by itself.)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new lastSeq is the change to flash for
  useLayoutEffect(() => {
    if (!mounted.current) {
      mounted.current = true;
      return;
    }
    if (!flash || !tr.current) return;
    for (const a of tr.current.getAnimations({ subtree: true })) {
      a.currentTime = 0;
      a.play();
    }
  }, [flash, o.lastSeq]);
  return (
    <tr
      ref={tr}
      data-order-id={o.orderId}
      data-cl-ord-id={o.clOrdId}
      data-status={o.ordStatus}
      data-held={isHeldStop(o) ? "true" : undefined}
      data-parent-id={o.parentId ?? undefined}
      className={flash ? "row flash" : "row"}
    >
      {columns.map((c) => {
        const extra = c.className?.(o);
        const className = c.num ? (extra ? `num ${extra}` : "num") : extra;
        return (
          <td key={c.id} className={className}>
            {c.cell(o, ctx)}
          </td>
        );
      })}
      <td className="actions">
        {canModify && MODIFIABLE.has(o.ordStatus) && !o.parentId && !isSplitParent && (
          <button type="button" className="small" onClick={() => onModify(o.orderId)} aria-label={`Modify ${o.clOrdId}`} title="Modify">
            ✎
          </button>
        )}
        {canCancel && !isTerminal(o.ordStatus) && o.ordStatus !== "PendingCancel" && (
          <button type="button" className="small" onClick={() => onCancel(o.orderId)} aria-label={`Cancel ${o.clOrdId}`} title="Cancel">
            ✕
          </button>
        )}
      </td>
    </tr>
  );
});
