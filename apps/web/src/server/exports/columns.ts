/** One column of an export: its header, how to read it from a row, its kind and its PDF width (points). */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** decimal: an exact decimal string (a number in XLSX when it converts exactly); text: as is. */
  kind: "text" | "decimal" | "int" | "time";
  width: number;
}

export type Columns<T> = readonly Column<T>[];
