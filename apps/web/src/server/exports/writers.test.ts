import { createHash } from "node:crypto";
import { PassThrough, Writable } from "node:stream";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutralise } from "./cells";
import type { Columns } from "./columns";
import { pdfText, pdfTextAt } from "./pdf-text";
import { type ExportFormat, writeExport } from "./writers";

// Each format written and read back: CSV parsed, XLSX opened with exceljs, PDF's text extracted, JSON
// parsed; the SHA-256 reported is the file's.

interface Row {
  id: string;
  note: string;
  amount: string;
}
const columns: Columns<Row> = [
  { header: "id", value: (r) => r.id, kind: "text", width: 60 },
  { header: "note", value: (r) => r.note, kind: "text", width: 200 },
  { header: "amount", value: (r) => r.amount, kind: "decimal", width: 80 },
];
const rows: Row[] = [
  { id: "T1", note: '=HYPERLINK("http://evil","x")', amount: "-12.5" },
  { id: "T2", note: "plain, with a comma", amount: "0.123456789012" },
  { id: "T3", note: "@SUM(A1)", amount: "100" },
];
const heading = { title: "Test export", producedBy: "user:c@x.test", producedAt: "2026-03-01T00:00:00.000Z", filters: { symbol: "AAPL" } };

async function* iterate<T>(items: readonly T[]) {
  yield* items;
}

async function produce(format: ExportFormat, items: readonly Row[] = rows) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  let progress = 0;
  const result = await writeExport({ format, heading, columns, rows: iterate(items), onRow: (n) => (progress = n) }, out);
  const file = Buffer.concat(chunks);
  return { result, file, progress };
}

describe("neutralise", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+CMD", "'+CMD"],
    ["-CMD|' /C calc'!A0", "'-CMD|' /C calc'!A0"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["-12.5", "-12.5"],
    ["-0", "-0"],
    ["AAPL", "AAPL"],
    ["", ""],
  ])("%j becomes %j", (cell, expected) => expect(neutralise(cell)).toBe(expected));

  it("any cell: quoted exactly when it starts with = + - @ tab or CR and is not a plain number (property)", () => {
    const start = fc.constantFrom("", "=", "+", "-", "@", "\t", "\r", "a", "1", " ");
    fc.assert(
      fc.property(start, fc.string(), (head, tail) => {
        const cell = head + tail;
        const dangerous = /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);
        expect(neutralise(cell)).toBe(dangerous ? `'${cell}` : cell);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("writeExport", () => {
  it("CSV: header, CRLF rows, formulas neutralised, negative numbers kept; SHA-256 of the bytes", async () => {
    const { result, file, progress } = await produce("csv");
    const text = file.toString("utf8");
    expect(text.split("\r\n")).toEqual([
      "id,note,amount",
      'T1,"\'=HYPERLINK(""http://evil"",""x"")",-12.5',
      'T2,"plain, with a comma",0.123456789012',
      "T3,'@SUM(A1),100",
      "",
    ]);
    expect(result).toEqual({ rows: 3, bytes: file.length, sha256: createHash("sha256").update(file).digest("hex") });
    expect(progress).toBe(3);
  });

  it("XLSX: opens again with the rows, exact decimals as numbers or text, and an About sheet", async () => {
    const { result, file } = await produce("xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file as unknown as ArrayBuffer);
    const sheet = book.getWorksheet("Test export");
    expect(sheet?.getRow(1).values).toEqual([undefined, "id", "note", "amount"]);
    expect(sheet?.getRow(2).values).toEqual([undefined, "T1", '=HYPERLINK("http://evil","x")', -12.5]);
    expect(sheet?.getRow(2).getCell(2).type).toBe(ExcelJS.ValueType.String); // text, never a formula
    expect(sheet?.getRow(3).getCell(3).value).toBe(0.123456789012);
    expect(sheet?.rowCount).toBe(4);
    const about = book.getWorksheet("About");
    expect(about?.getRow(4).values).toEqual([undefined, "Filters", '{"symbol":"AAPL"}']);
    expect(result.sha256).toBe(createHash("sha256").update(file).digest("hex"));
  });

  it("PDF: the title, who produced it, the headers and every row's text are on the page", async () => {
    const { file } = await produce("pdf");
    expect(file.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(file);
    for (const expected of ["Test export", "user:c@x.test", "amount", "T1", "plain, with a comma", "-12.5", "T3"])
      expect(text).toContain(expected);
  });

  it("PDF of many rows runs over pages; each page repeats the header", async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ id: `R${i}`, note: "n", amount: String(i) }));
    const text = pdfText((await produce("pdf", many)).file);
    expect(text).toContain("R199");
    expect(text).toContain("page 4");
  });

  it("PDF never cuts a value: long ids, hashes, timestamps and text wrap onto more lines of their row", async () => {
    const long: Row[] = [
      // A 27-character timestamp in a narrow column, a 64-character hash, a long id with spaces at the wrap points.
      {
        id: "2026-11-30T08:24:58.123456Z",
        note: "a".repeat(64).replace(/a/g, (_, i: number) => "0123456789abcdef"[i % 16] ?? ""),
        amount: "-123456789012.123456789",
      },
      { id: "CLORD-0000000000000000000000000000000000000001", note: `${"word ".repeat(80)}end`, amount: "1" },
      { id: "T3", note: "short", amount: "2" },
    ];
    const narrow: Columns<Row> = [
      { header: "id", value: (r) => r.id, kind: "text", width: 40 },
      { header: "note", value: (r) => r.note, kind: "text", width: 60 },
      { header: "amount", value: (r) => r.amount, kind: "decimal", width: 30 },
    ];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    await writeExport({ format: "pdf", heading, columns: narrow, rows: iterate(long) }, out);
    const pieces = pdfText(Buffer.concat(chunks));
    // A wrapped cell's lines are drawn one after another: joined, they give the value back whole.
    const joined = pieces.replaceAll("\n", "");
    for (const r of long) for (const value of [r.id, r.note, r.amount]) expect(joined).toContain(value);
    // And nothing is cut: no "~" cut mark, and the long id is really on more than one line.
    expect(pieces).not.toContain("~");
    expect(pieces.split("\n")).not.toContain(long[1]?.id);
  });

  it("PDF: a timestamp column keeps its 27 characters and a column that says its width gets it", async () => {
    const { pdfColumnChars } = await import("./writers");
    const chars = pdfColumnChars(
      [
        { kind: "time", width: 10 },
        { kind: "text", width: 10, chars: 64 },
        { kind: "text", width: 100 },
        { kind: "text", width: 100 },
      ],
      782,
    );
    expect(chars.slice(0, 2)).toEqual([27, 64]);
    expect(chars[2]).toBe(chars[3]);
    expect((chars[2] ?? 0) * 2 + 27 + 64 + 4).toBeLessThanOrEqual(782 / 4.2);
  });

  it("PDF: long filters in the heading wrap above the column headers, never over them", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const filters = { text: "word ".repeat(150).trim() };
    await writeExport({ format: "pdf", heading: { ...heading, filters }, columns, rows: iterate(rows) }, out);
    const drawn = pdfTextAt(Buffer.concat(chunks));
    const header = drawn.findIndex((d) => d.text.startsWith("id "));
    const above = drawn.slice(0, header);
    expect(above.length).toBeGreaterThanOrEqual(3); // the title and the heading's wrapped lines
    // Baselines go down the page: the header is a full line (7 pt type) below the heading's last line.
    expect((above.at(-1)?.y ?? 0) - (drawn[header]?.y ?? 0)).toBeGreaterThanOrEqual(8);
    expect(above.map((d) => d.text).join("")).toContain("page 1");
  });

  it("PDF: a value longer than a page runs on over the next page, whole", async () => {
    const huge = [{ id: "BIG", note: "x".repeat(100).concat("END"), amount: "1" }];
    const tiny: Columns<Row> = [
      { header: "id", value: (r) => r.id, kind: "text", width: 20, chars: 3 },
      { header: "note", value: (r) => r.note, kind: "text", width: 20, chars: 1 },
    ];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    await writeExport({ format: "pdf", heading, columns: tiny, rows: iterate(huge) }, out);
    const text = pdfText(Buffer.concat(chunks));
    expect(text).toContain("page 2");
    expect(text.split("\n").filter((l) => l === "x")).toHaveLength(100);
    expect(text).toContain("E\nN\nD");
  });

  it("JSON: one document with the heading, columns and rows as objects", async () => {
    const { file, result } = await produce("json");
    const doc = JSON.parse(file.toString("utf8"));
    expect(doc.heading).toEqual(heading);
    expect(doc.rows).toEqual(rows.map((r) => ({ id: r.id, note: r.note, amount: r.amount })));
    expect(result.rows).toBe(3);
  });

  it.each(["csv", "xlsx"] as const)(
    "%s: a file that does not take its bytes stops the rows being read (bounded memory), then the export completes",
    async (format) => {
      const total = 200_000;
      let pulled = 0;
      async function* pages() {
        for (let p = 0; p < total / 1000; p++) {
          pulled += 1000;
          yield Array.from({ length: 1000 }, (_, i) => ({ id: `T${p * 1000 + i}`, note: `note ${i % 97}`, amount: String(i) }));
        }
      }
      // A disk that holds every write until released: the writer must wait rather than buffer the export.
      const held: (() => void)[] = [];
      let bytes = 0;
      const out = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          held.push(done);
        },
      });
      const writing = writeExport({ format, heading, columns, rows: pages() }, out);
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(pulled).toBeLessThan(total / 4);
      const release = setInterval(() => {
        for (const done of held.splice(0)) done();
      }, 1);
      try {
        const result = await writing;
        expect(result).toMatchObject({ rows: total, bytes });
        expect(pulled).toBe(total);
      } finally {
        clearInterval(release);
      }
    },
  );

  it("an empty export is still a valid file in every format", async () => {
    for (const format of ["csv", "xlsx", "pdf", "json"] as const) {
      const { result } = await produce(format, []);
      expect(result.rows).toBe(0);
      expect(result.bytes).toBeGreaterThan(0);
    }
  });
});
