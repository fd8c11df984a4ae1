import { isTerminal, type Order } from "@fillmore/shared";
import { memo, useRef } from "react";
import type { LastFill } from "../../lib/order-store";
import { type Column, isHeldStop } from "./columns";
import { type FlashPhase, nextFlashPhase, rowClass } from "./flash";

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
 * in place (only its changed cells), not rebuilt; its flash animation is restarted instead.
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
  // The flash is an overlay whose opacity fades (globals.css, `tr.flash::after`): the compositor
  // runs it, the row is not repainted per frame. A change while it flashes switches between two
  // identical animation names, which restarts it without reading the animations (a style flush).
  const phase = useRef<FlashPhase | undefined>(undefined);
  phase.current = nextFlashPhase(phase.current, o.lastSeq);
  return (
    <tr
      data-order-id={o.orderId}
      data-cl-ord-id={o.clOrdId}
      data-status={o.ordStatus}
      data-held={isHeldStop(o) ? "true" : undefined}
      data-parent-id={o.parentId ?? undefined}
      className={rowClass(flash, phase.current)}
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
