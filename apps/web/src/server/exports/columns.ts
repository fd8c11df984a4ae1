/** One column of an export: its header, how to read it from a row, its kind and its PDF width (points). */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** decimal: an exact decimal string (a number in XLSX when it converts exactly); text: as is. */
  kind: "text" | "decimal" | "int" | "time";
  width: number;
  /**
   * PDF: the characters its values take (a 64-character hash, a 27-character timestamp), given before
   * the other columns share what is left of the page, so such values sit on one line.
   */
  chars?: number;
}

/** A UTC timestamp to the microsecond, 2026-11-30T08:24:58.123456Z. */
export const TIME_CHARS = 27;

export type Columns<T> = readonly Column<T>[];
