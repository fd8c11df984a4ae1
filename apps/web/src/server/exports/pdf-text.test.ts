import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { pdfText } from "./pdf-text";

/** A PDF stream object as pdfkit writes it: /Length, then the data between "stream\n" and "\nendstream". */
const streamObject = (data: Buffer) =>
  Buffer.concat([
    Buffer.from(`5 0 obj\n<<\n/Length ${data.length}\n/Filter /FlateDecode\n>>\nstream\n`, "latin1"),
    data,
    Buffer.from("\nendstream\nendobj\n", "latin1"),
  ]);
const shown = (text: string) => `BT\n[<${Buffer.from(text, "latin1").toString("hex")}>] TJ\nET`;

describe("pdfText (the tests' PDF reader)", () => {
  it("reads a content stream whose compressed data ends in a carriage return (once in 256: it lost that byte)", () => {
    let text = "";
    let data = Buffer.alloc(0);
    for (let i = 0; i < 5000; i += 1) {
      text = `CLORD-${i}${"x".repeat(i % 97)}`;
      data = deflateSync(Buffer.from(shown(text), "latin1"));
      if (data[data.length - 1] === 0x0d) break;
    }
    expect(data[data.length - 1]).toBe(0x0d);
    expect(pdfText(streamObject(data))).toBe(text);
  });

  it("reads every stream of a file in order", () => {
    const pdf = Buffer.concat([streamObject(deflateSync(shown("first"))), streamObject(deflateSync(shown("second")))]);
    expect(pdfText(pdf)).toBe("first\nsecond");
  });
});
