import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./quality-csv";

describe("quality CSV export", () => {
  it.each([
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ["+1+2", "'+1+2"],
    ["-cmd", "'-cmd"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ["-12.5", "-12.5"],
    ["SIM-FAST", "SIM-FAST"],
    ["a,b", '"a,b"'],
  ])("%j → %j", (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it("numbers, nulls and sections", () => {
    const csv = toCsv([
      {
        title: "venues",
        columns: ["venue", "p99"],
        rows: [
          ["SIM-FAST", 3.5],
          ["=evil", null],
        ],
      },
      { title: "orders", columns: ["id"], rows: [["O-1"]] },
    ]);
    expect(csv).toBe("# venues\r\nvenue,p99\r\nSIM-FAST,3.5\r\n'=evil,\r\n\r\n# orders\r\nid\r\nO-1\r\n");
  });
});
