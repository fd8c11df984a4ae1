import { cellText, neutralise } from "../../server/exports/cells";

/** One section of the export: a title line, a header row, then rows. */
export interface CsvSection {
  title: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
}

/** A CSV cell: formulas neutralised (a leading ' before = + - @ tab CR, plain numbers kept), quoted when needed. */
export function csvCell(value: unknown): string {
  const text = neutralise(cellText(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Sections separated by a blank line, each `# title`, header, rows; CRLF line ends (RFC 4180). */
export function toCsv(sections: readonly CsvSection[]): string {
  const lines: string[] = [];
  for (const s of sections) {
    if (lines.length > 0) lines.push("");
    lines.push(csvCell(`# ${s.title}`));
    lines.push(s.columns.map(csvCell).join(","));
    for (const row of s.rows) lines.push(row.map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Offers a URL (the export store's download) as a file download in the browser. */
export function downloadUrl(filename: string, url: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
