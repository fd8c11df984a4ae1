import type { Order } from "@fillmore/shared";
import { compareIds, newestFirst, type OrderStore } from "../../lib/order-store";
import { type CellContext, SORT_KEYS, type SortKey } from "./sort-keys";

export interface Sort {
  column: string;
  dir: "asc" | "desc";
}

/** Newest first, the blotter's default. */
export const DEFAULT_SORT: Sort = { column: "time", dir: "desc" };

/**
 * The view's order for a sort choice. A column's key is computed once per order version (orders are
 * replaced, never mutated, so a WeakMap on the order object is exact) rather than on each of the
 * ~n·log n comparisons of a full sort; and an order keeps the key it was placed with, so the store
 * finds it again by binary search when it changes.
 */
export function comparatorFor(sort: Sort, store: Pick<OrderStore, "splitParents" | "lastFills">): (a: Order, b: Order) => number {
  if (sort.column === "time" && sort.dir === "desc") return newestFirst;
  const sortKey: SortKey | undefined = Object.hasOwn(SORT_KEYS, sort.column) ? SORT_KEYS[sort.column as keyof typeof SORT_KEYS] : undefined;
  if (!sortKey) return newestFirst;
  const sign = sort.dir === "asc" ? 1 : -1;
  const keys = new WeakMap<Order, string | number>();
  const keyOf = (o: Order): string | number => {
    let k = keys.get(o);
    if (k === undefined) {
      const ctx: CellContext = {
        places: undefined,
        isSplitParent: store.splitParents.has(o.orderId),
        lastFill: store.lastFills.get(o.orderId),
      };
      k = sortKey(o, ctx);
      keys.set(o, k);
    }
    return k;
  };
  return (a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return newestFirst(a, b) || compareIds(a.orderId, b.orderId);
  };
}
