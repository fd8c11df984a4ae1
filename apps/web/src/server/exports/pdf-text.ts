import { inflateSync } from "node:zlib";

// Tests only: reads a PDF written by writers.ts back as text.

/**
 * Each stream's inflated content. A stream is read by its dictionary's /Length (pdfkit writes it
 * directly), not up to the next "endstream": compressed data that itself ends in a carriage return
 * lost that byte to an end-of-line search, failed to inflate, and left a page's text out (about one
 * stream in 256).
 */
function* contentStreams(pdf: Buffer): Generator<string> {
  const body = pdf.toString("latin1");
  for (const m of body.matchAll(/\/Length (\d+)(?!\s+\d+\s+R)[^>]*>>\s*stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    try {
      yield inflateSync(Buffer.from(body.slice(start, start + Number(m[1])), "latin1")).toString("latin1");
    } catch {
      // not a Flate stream (an image, a font): no text in it
    }
  }
}

/** The text a PDF shows: its content streams inflated, the hex strings of each TJ/Tj decoded. */
export function pdfText(pdf: Buffer): string {
  const text: string[] = [];
  for (const content of contentStreams(pdf)) {
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hex = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join("") : (op[2] ?? "");
      text.push(Buffer.from(hex, "hex").toString("latin1"));
    }
  }
  return text.join("\n");
}

/** Each text drawn, with its baseline's height on the page (PDF points from the bottom), in drawing order. */
export function pdfTextAt(pdf: Buffer): { y: number; text: string }[] {
  const drawn: { y: number; text: string }[] = [];
  for (const content of contentStreams(pdf)) {
    for (const op of content.matchAll(/1 0 0 1 [\d.]+ ([\d.]+) Tm[^[]*\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...(op[2] ?? "").matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join("");
      drawn.push({ y: Number(op[1]), text: Buffer.from(hex, "hex").toString("latin1") });
    }
  }
  return drawn;
}
