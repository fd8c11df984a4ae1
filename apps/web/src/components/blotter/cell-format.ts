import { formatPx, formatQty } from "../../lib/format";

/**
 * A memo of a string formatter: the blotter formats the same few quantities and prices over and
 * over (`toLocaleString` builds a number formatter per call), so each distinct input is formatted
 * once. Bounded: past `max` entries it starts afresh, so a long session cannot grow it.
 */
export class FormatCache {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly format: (value: string, places: number | undefined) => string,
    readonly max = 4096,
  ) {}

  get size(): number {
    return this.cache.size;
  }

  get(value: string, places?: number): string {
    const key = places === undefined ? value : `${places}|${value}`;
    let out = this.cache.get(key);
    if (out === undefined) {
      if (this.cache.size >= this.max) this.cache.clear();
      out = this.format(value, places);
      this.cache.set(key, out);
    }
    return out;
  }
}

const qtyCache = new FormatCache((value) => formatQty(value));
const pxCache = new FormatCache((value, places) => formatPx(value, places));

/** `formatQty`, memoised. */
export function qtyText(value: string): string {
  return qtyCache.get(value);
}

/** `formatPx`, memoised; null and zero are "—" as there. */
export function pxText(value: string | null, places = 2): string {
  return value === null ? "—" : pxCache.get(value, places);
}
