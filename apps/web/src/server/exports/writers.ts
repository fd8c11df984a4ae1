import { createHash } from "node:crypto";
import { once } from "node:events";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type ExcelJS from "exceljs";
import { cellText, neutralise } from "./cells";
import { type Column, type Columns, TIME_CHARS } from "./columns";

export const EXPORT_FORMATS = ["csv", "xlsx", "pdf", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
  json: "application/json",
};

/** What every export says about itself (title, who, when, filters), on top of the file or in its metadata. */
export interface ExportHeading {
  title: string;
  producedBy: string;
  producedAt: string;
  filters: Record<string, unknown>;
}

export interface ExportInput<T> {
  format: ExportFormat;
  heading: ExportHeading;
  columns: Columns<T>;
  /**
   * The rows, one by one or in pages (arrays; a row is never an array): a page costs one await
   * instead of one per row (about 3 s per 1,000,000 rows through async generators on this machine).
   */
  rows: AsyncIterable<T | readonly T[]>;
  /** Called as rows are handed to the writer (progress; after each page). */
  onRow?: (count: number) => void;
}

export interface ExportResult {
  rows: number;
  bytes: number;
  sha256: string;
}

/** Counts and hashes the bytes on their way to the file: the SHA-256 is of exactly what was written. */
function digester() {
  const hash = createHash("sha256");
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest("hex") }) };
}

/** Writes to a stream, waiting when it is full (bounded memory: the producer waits for the file). */
async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}

/**
 * Streams rows into `out` in the format, one page of rows at a time: memory stays bounded whatever
 * the row count (CSV and JSON write as they go; XLSX uses exceljs's streaming WorkbookWriter, which
 * commits each row; PDF writes each page as it fills).
 */
export async function writeExport<T>(input: ExportInput<T>, out: Writable): Promise<ExportResult> {
  const digest = digester();
  const done = pipeline(digest.stream, out);
  let rows = 0;
  const counted = async function* (): AsyncGenerator<readonly T[]> {
    for await (const item of input.rows) {
      const page = (Array.isArray(item) ? item : [item]) as readonly T[];
      yield page;
      rows += page.length;
      input.onRow?.(rows);
    }
  };
  const writers = { csv: writeCsv, xlsx: writeXlsx, pdf: writePdf, json: writeJson };
  await writers[input.format](input, counted(), digest.stream);
  await done;
  return { rows, ...digest.result() };
}

/** A file that is one text, written as is (the Quality page's CSV sections): its bytes hashed as every export's. */
export async function writeText(text: string, rows: number, out: Writable): Promise<ExportResult> {
  const digest = digester();
  const done = pipeline(digest.stream, out);
  digest.stream.end(text);
  await done;
  return { rows, ...digest.result() };
}

/** RFC 4180: a field holding a quote, comma, CR or LF is quoted, its quotes doubled; others as they are. */
const NEEDS_QUOTES = /[",\r\n]/;
function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
const csvRecord = (cells: readonly string[]) => `${cells.map(csvField).join(",")}\r\n`;

/** CSV records joined and written as one chunk (one write per 1,000 rows, not per row). */
const CSV_BATCH = 1000;

async function writeCsv<T>({ columns }: ExportInput<T>, pages: AsyncIterable<readonly T[]>, out: Writable): Promise<void> {
  await write(out, csvRecord(columns.map((c) => c.header)));
  let batch = "";
  let n = 0;
  for await (const page of pages)
    for (const row of page) {
      // One string per row, no intermediate arrays (a million rows of 17 cells is a lot of garbage).
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) batch += ",";
        batch += csvField(neutralise(cellText((columns[i] as Column<T>).value(row))));
      }
      batch += "\r\n";
      if (++n % CSV_BATCH === 0) {
        await write(out, batch);
        batch = "";
      }
    }
  if (batch !== "") await write(out, batch);
  out.end();
}

async function writeJson<T>({ heading, columns }: ExportInput<T>, pages: AsyncIterable<readonly T[]>, out: Writable): Promise<void> {
  const keys = columns.map((c) => c.header);
  await write(out, `{"heading":${JSON.stringify(heading)},"columns":${JSON.stringify(keys)},"rows":[`);
  let first = true;
  for await (const page of pages)
    for (const row of page) {
      const record = Object.fromEntries(columns.map((c) => [c.header, c.value(row) ?? null]));
      await write(out, `${first ? "\n" : ",\n"}${JSON.stringify(record)}`);
      first = false;
    }
  await write(out, "\n]}\n");
  out.end();
}

/** A decimal string as an XLSX number when the number is exactly that decimal, else as text (exact). */
function xlsxValue(kind: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if ((kind === "decimal" || kind === "int") && typeof value === "string") {
    const n = Number(value);
    if (Number.isFinite(n) && String(n) === value) return n;
    return value;
  }
  return cellText(value);
}

/**
 * The stream archiver reads a zip entry from is readable-stream 2's PassThrough, which has no
 * `writableNeedDrain` (Node 15+): its own state says whether it is full. Reading only
 * `writableNeedDrain` never waited, and every row of the sheet piled up in that stream's write
 * buffer (the heap snapshot: 64 KB chunks in its `bufferedRequest` list, 135 MB at 200,000 rows).
 */
type ZipEntryStream = Writable & { _writableState?: { needDrain?: boolean } };
const needsDrain = (s: ZipEntryStream): boolean => s.writableNeedDrain || s._writableState?.needDrain === true;

/**
 * Back-pressure for exceljs's streaming writer: a committed row goes into the sheet's buffer, which
 * hands 64 KB blocks to the zip's deflate stream without waiting for it (StreamBuf ignores write()'s
 * answer), so a fast producer grows memory with the file. Wait while the deflate stream is full (it
 * drains as the file takes the zip's output), or, before the zip has started on the sheet, while
 * the sheet's own buffer holds more than a megabyte.
 */
async function xlsxDrained(sheet: ExcelJS.Worksheet): Promise<void> {
  const stream = (sheet as unknown as { stream: { pipes?: ZipEntryStream[]; buffers?: unknown[] } }).stream;
  for (;;) {
    const deflate = stream.pipes?.[0];
    if (deflate && needsDrain(deflate)) await once(deflate, "drain");
    else if (!deflate && (stream.buffers?.length ?? 0) > 16) await new Promise((resolve) => setImmediate(resolve));
    else return;
  }
}

async function writeXlsx<T>({ heading, columns }: ExportInput<T>, pages: AsyncIterable<readonly T[]>, out: Writable): Promise<void> {
  // Loaded when first needed: a CSV export's process does not carry exceljs or pdfkit.
  const { default: excel } = await import("exceljs");
  const book = new excel.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  book.creator = heading.producedBy;
  book.created = new Date(heading.producedAt);
  const sheet = book.addWorksheet(heading.title.slice(0, 31).replace(/[\\/?*[\]:]/g, " "));
  sheet.columns = columns.map((c) => ({ header: c.header, width: Math.max(8, Math.round(c.width / 6)) }));
  let n = 0;
  for await (const page of pages)
    for (const row of page) {
      sheet.addRow(columns.map((c) => xlsxValue(c.kind, c.value(row)))).commit();
      if (++n % 200 === 0) await xlsxDrained(sheet);
    }
  sheet.commit();
  const about = book.addWorksheet("About");
  about.addRow(["Title", heading.title]).commit();
  about.addRow(["Produced by", heading.producedBy]).commit();
  about.addRow(["Produced at", heading.producedAt]).commit();
  about.addRow(["Filters", JSON.stringify(heading.filters)]).commit();
  about.addRow(["Rows", n]).commit();
  about.commit();
  await book.commit();
}

const PDF_FONT_SIZE = 7;
const PDF_ROW = 10;

/** Courier: every glyph is 0.6 em, so a row is one fixed-width line (one text call per row, not per cell). */
const CHAR_W = PDF_FONT_SIZE * 0.6;

/** A cell as PDF text: one line of it, control characters shown as spaces (the same count: no character lost). */
const flat = (text: string) => text.replace(/[\r\n\t]/g, " ");

/**
 * A cell's text in lines of at most `chars` characters: never cut, a long value (a hash, a JSON payload)
 * continues on the next line of its column, so joining the lines gives the value back exactly.
 */
export function wrapCell(text: string, chars: number): string[] {
  if (text.length <= chars) return [text];
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += chars) lines.push(text.slice(i, i + chars));
  return lines;
}

/**
 * Characters per column (one more is the gap): a column that says how many characters its values take
 * gets them (times get TIME_CHARS); the others share the rest of the page by their widths (at least 3).
 */
export function pdfColumnChars(columns: readonly Pick<Column<unknown>, "width" | "kind" | "chars">[], pageWidth: number): number[] {
  const fixed = columns.map((c) => c.chars ?? (c.kind === "time" ? TIME_CHARS : undefined));
  const fixedWidth = fixed.reduce<number>((a, n) => a + (n === undefined ? 0 : (n + 1) * CHAR_W), 0);
  const free = columns.reduce((a, c, i) => a + (fixed[i] === undefined ? c.width : 0), 0);
  const scale = free === 0 ? 1 : Math.min(1, Math.max(0, pageWidth - fixedWidth) / free);
  return columns.map((c, i) => fixed[i] ?? Math.max(3, Math.floor((c.width * scale) / CHAR_W) - 1));
}

async function writePdf<T>({ heading, columns }: ExportInput<T>, pages: AsyncIterable<readonly T[]>, out: Writable): Promise<void> {
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: 30,
    bufferPages: false,
    info: { Title: heading.title, Author: heading.producedBy },
  });
  const piped = pipeline(doc, out);
  const left = 30;
  const bottom = doc.page.height - 40;
  const chars = pdfColumnChars(columns as Columns<unknown>, doc.page.width - 60);
  /** Where each column starts (points): Courier, so a column is its characters plus one gap. */
  const xs = chars.map((_, i) => left + chars.slice(0, i).reduce((a, n) => a + (n + 1) * CHAR_W, 0));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(chars[i] ?? 3)).join(" ");
  let page = 1;
  const header = () => {
    doc.font("Helvetica-Bold").fontSize(11).text(heading.title, left, 30);
    doc
      .font("Helvetica")
      .fontSize(7)
      .text(
        `Produced by ${heading.producedBy} at ${heading.producedAt} · filters ${JSON.stringify(heading.filters)} · page ${page}`,
        left,
        45,
        { width: doc.page.width - 2 * left },
      );
    // Long filters wrap onto more lines: the column headers start below the last of them.
    const top = Math.max(60, Math.ceil(doc.y) + 4);
    doc.font("Courier-Bold").fontSize(PDF_FONT_SIZE);
    const headers = columns.map((c, i) => wrapCell(c.header, chars[i] ?? 3));
    const lines = Math.max(...headers.map((h) => h.length));
    for (let k = 0; k < lines; k++) doc.text(line(headers.map((h) => h[k] ?? "")), left, top + k * PDF_ROW, { lineBreak: false });
    doc.font("Courier");
    return top + lines * PDF_ROW + 2;
  };
  let y = header();
  /** Where the rows of a page start. */
  const top = y;
  let count = 0;
  const newPage = async () => {
    doc.addPage();
    page += 1;
    y = header();
    // pdfkit writes a finished page out; let the file stream take it before the next.
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const rowsOfPage of pages)
    for (const row of rowsOfPage) {
      if (y > bottom) await newPage();
      const cells = columns.map((c) => flat(cellText(c.value(row))));
      if (cells.every((cell, i) => cell.length <= (chars[i] ?? 3))) {
        // The common row: one fixed-width line, one text call.
        doc.text(line(cells), left, y, { lineBreak: false });
        y += PDF_ROW;
      } else {
        // A row with a long value grows: each cell in its own column, over as many lines as its value needs.
        const wrapped = cells.map((cell, i) => wrapCell(cell, chars[i] ?? 3));
        const height = Math.max(...wrapped.map((lines) => lines.length));
        // A tall row starts on a new page when it does not fit what is left of this one (unless it fits no page).
        if (y + (height - 1) * PDF_ROW > bottom && y > top) await newPage();
        for (let from = 0; from < height; ) {
          const fits = Math.max(1, Math.floor((bottom - y) / PDF_ROW) + 1);
          const to = Math.min(height, from + fits);
          // Cell by cell (its lines one after another in the page's content), so a value reads back whole.
          wrapped.forEach((lines, i) => {
            for (let k = from; k < Math.min(to, lines.length); k++)
              doc.text(lines[k] ?? "", xs[i] ?? left, y + (k - from) * PDF_ROW, { lineBreak: false });
          });
          y += (to - from) * PDF_ROW;
          from = to;
          if (from < height) await newPage();
        }
      }
      count += 1;
    }
  if (count === 0) doc.font("Helvetica").fontSize(9).text("No rows.", left, y);
  doc.end();
  await piped;
}
