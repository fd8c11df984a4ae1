import PDFDocument from "pdfkit";
import type { Quarter606 } from "./build";
import { quarterMonths } from "./periods";
import { ORDER_TYPES, SECTIONS, section606 } from "./rule606";

// The readable 606(a)(1) report (the SEC's renderer shows the XML the same way): per month and
// section, the non-directed share and type split, then each venue's row, and the material aspects.
// pdfkit, standard fonts (no font files), as the console's other PDF exports.

const TYPE_LABEL = { market: "Market", marketableLimit: "Marketable limit", nonMarketableLimit: "Non-marketable limit", other: "Other" };
const SECTION_LABEL = { SP500: "S&P 500 stocks", OtherStocks: "Other NMS stocks", Options: "Options" };
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function rule606Pdf(q: Quarter606, quarter: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", layout: "landscape", margin: 30, info: { Title: `${q.bd} Rule 606(a)(1) ${quarter}` } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const left = 30;
  const widths = [150, 45, 45, 52, 68, 42, 90, 90, 90, 90];
  const row = (cells: string[], bold = false) => {
    if (doc.y > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(7.5);
    let x = left;
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, { width: (widths[i] ?? 50) - 4, lineBreak: false, ellipsis: true });
      x += widths[i] ?? 50;
    });
    doc.x = left;
    doc.y = y + 12;
  };
  doc.font("Helvetica-Bold").fontSize(14).text(`${q.bd} - Held NMS Stock and Option Order Routing Public Report`, left, 30);
  doc.font("Helvetica").fontSize(10).text(`Rule 606(a)(1), ${q.year} Q${q.quarter}`);
  if (q.orders.length === 0) doc.moveDown().fontSize(10).text("No held orders were routed in this quarter.");
  for (const month of quarterMonths(quarter)) {
    for (const section of SECTIONS) {
      const list = q.orders.filter((o) => o.month === month && o.section === section);
      const title = `${MONTHS[Number(month.slice(5)) - 1]} ${month.slice(0, 4)} - ${SECTION_LABEL[section]}`;
      if (list.length === 0) {
        // The XML carries the section in its zero form; here one line says why it is empty.
        const why = section === "Options" ? "none: Fillmore does not trade options" : "no held orders routed";
        doc.moveDown(0.5).font("Helvetica").fontSize(8.5).text(`${title}: ${why}.`, left);
        continue;
      }
      const s = section606(list);
      doc.moveDown();
      doc.font("Helvetica-Bold").fontSize(11).text(title, left);
      doc
        .font("Helvetica")
        .fontSize(8.5)
        .text(
          `Non-directed orders: ${s.ndoPct}% of orders. Of them: ${ORDER_TYPES.map((t) => `${TYPE_LABEL[t]} ${s.typePct[t]}%`).join(", ")}.`,
          left,
        );
      doc.moveDown(0.5);
      row(
        [
          "Venue (MIC)",
          "Orders %",
          "Market %",
          "Mkt limit %",
          "Non-mkt limit %",
          "Other %",
          "Net market $",
          "Net mkt lim $",
          "Net non-mkt $",
          "Net other $",
        ],
        true,
      );
      for (const v of s.venues)
        row([
          `${v.name} (${v.mic})`,
          v.orderPct,
          ...ORDER_TYPES.map((t) => v.typePct[t]),
          ...ORDER_TYPES.map((t) => `${v.netUsd[t]} (${v.netCph[t]} c/100)`),
        ]);
    }
  }
  doc.moveDown();
  doc.font("Helvetica-Bold").fontSize(10).text("Material aspects", left);
  doc
    .font("Helvetica")
    .fontSize(8.5)
    .text(q.materialAspects, left, undefined, { width: doc.page.width - 60 });
  doc.end();
  return done;
}
