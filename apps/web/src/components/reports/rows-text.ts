/** "n of N rows" when the export knew its total at the start (a count with the same filters), else "n rows". */
export function rowsText(rows: number, total: number | null | undefined): string {
  const n = rows.toLocaleString("en-US");
  if (total === null || total === undefined) return `${n} ${rows === 1 ? "row" : "rows"}`;
  return `${n} of ${total.toLocaleString("en-US")} ${total === 1 ? "row" : "rows"}`;
}
