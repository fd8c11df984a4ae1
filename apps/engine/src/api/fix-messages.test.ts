import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FixMessageView, Order } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import { FIX_MESSAGES_LIMIT, orderFixMessages } from "./fix-messages";

// The matching and ordering of GET /v1/orders/:id/fix-messages over hand-written store files (the
// format session-store.ts writes); the real session is tested in test/fix/fix-messages-api.test.ts.

type Line = Record<string, unknown>;
const out = (seq: number, t: string, b: [number, string][], st: string): Line => ({ o: seq, t, b, st });
const inn = (seq: number, t: string, b: [number, string][], st: string): Line => ({ r: seq, t, b, st });

function storeFile(lines: Line[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fix-messages-")), "s.session.jsonl");
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  return file;
}

const order = (orderId: string, parentId: string | null = null) => ({ orderId, parentId }) as Order;
const book = (...orders: Order[]) => ({ get: (id: string) => orders.find((o) => o.orderId === id), all: () => orders });
const summary = (messages: FixMessageView[]) => messages.map((m) => `${m.venueId} ${m.direction} ${m.seq} ${m.msgType}`);

describe("orderFixMessages", () => {
  it("matches the order's ClOrdID, its cancels and replaces (OrigClOrdID too), its child orders, and rejects of its messages by RefSeqNum", async () => {
    const file = storeFile([
      { x: { orderId: "O-1", clOrdIds: ["O-1"] } }, // an order record: not a message
      out(1, "A", [], "20261130-01:00:00.000"), // never stored with a body in practice; an admin type anyway
      out(2, "D", [[11, "O-1"]], "20261130-01:00:01.000"),
      out(3, "D", [[11, "O-10"]], "20261130-01:00:02.000"), // another order whose id starts the same
      inn(
        2,
        "8",
        [
          [11, "O-10"],
          [39, "0"],
        ],
        "20261130-01:00:02.100",
      ),
      inn(
        3,
        "8",
        [
          [11, "O-1"],
          [39, "0"],
        ],
        "20261130-01:00:02.200",
      ),
      out(
        4,
        "G",
        [
          [41, "O-1"],
          [11, "O-1.R7"],
        ],
        "20261130-01:00:03.000",
      ),
      inn(
        4,
        "8",
        [
          [11, "O-1.R7"],
          [41, "O-1"],
          [39, "5"],
        ],
        "20261130-01:00:03.100",
      ),
      out(
        5,
        "F",
        [
          [41, "O-1.R7"],
          [11, "O-1.C9"],
        ],
        "20261130-01:00:04.000",
      ),
      inn(
        5,
        "3",
        [
          [45, "5"],
          [58, "unsupported"],
        ],
        "20261130-01:00:04.100",
      ), // refuses our #5: O-1's cancel
      inn(
        6,
        "3",
        [
          [45, "3"],
          [58, "other"],
        ],
        "20261130-01:00:04.200",
      ), // refuses #3: O-10's
      out(6, "D", [[11, "O-1-1"]], "20261130-01:00:05.000"), // a child order of O-1
      inn(
        7,
        "8",
        [
          [11, "O-1-1"],
          [39, "2"],
        ],
        "20261130-01:00:05.100",
      ),
    ]);
    const orders = book(order("O-1"), order("O-10"), order("O-1-1", "O-1"));
    const answer = await orderFixMessages("O-1", orders, [{ venueId: "FIX-A", file }]);
    expect(answer.truncated).toBe(false);
    expect(summary(answer.messages)).toEqual([
      "FIX-A out 2 D",
      "FIX-A in 3 8",
      "FIX-A out 4 G",
      "FIX-A in 4 8",
      "FIX-A out 5 F",
      "FIX-A in 5 3",
      "FIX-A out 6 D",
      "FIX-A in 7 8",
    ]);
    expect(answer.messages[5]).toMatchObject({
      msgTypeName: "Reject",
      fields: [
        [45, "RefSeqNum", "5"],
        [58, "Text", "unsupported"],
      ],
    });
    expect(answer.messages[2]?.msgTypeName).toBe("OrderCancelReplaceRequest");

    const other = await orderFixMessages("O-10", orders, [{ venueId: "FIX-A", file }]);
    expect(summary(other.messages)).toEqual(["FIX-A out 3 D", "FIX-A in 2 8", "FIX-A in 6 3"]);
  });

  it("after a sequence reset a reject names the new numbers, not the old ones", async () => {
    const file = storeFile([
      out(2, "D", [[11, "O-1"]], "20261130-01:00:01.000"),
      { reset: true },
      out(2, "D", [[11, "O-2"]], "20261130-01:00:02.000"),
      inn(2, "3", [[45, "2"]], "20261130-01:00:02.100"), // refuses O-2's NewOrderSingle, not O-1's
    ]);
    const orders = book(order("O-1"), order("O-2"));
    expect(summary((await orderFixMessages("O-1", orders, [{ venueId: "V", file }])).messages)).toEqual(["V out 2 D"]);
    expect(summary((await orderFixMessages("O-2", orders, [{ venueId: "V", file }])).messages)).toEqual(["V out 2 D", "V in 2 3"]);
  });

  it("merges venues by SendingTime, keeps the newest 500 and says so; no FIX message: an empty list", async () => {
    const a = storeFile([out(1, "D", [[11, "O-1"]], "20261130-01:00:01.000"), inn(1, "8", [[11, "O-1"]], "20261130-01:00:03.000")]);
    const b = storeFile([out(1, "D", [[11, "O-1-1"]], "20261130-01:00:02.000")]);
    const orders = book(order("O-1"), order("O-1-1", "O-1"), order("O-3"));
    const merged = await orderFixMessages("O-1", orders, [
      { venueId: "A", file: a },
      { venueId: "B", file: b },
    ]);
    expect(summary(merged.messages)).toEqual(["A out 1 D", "B out 1 D", "A in 1 8"]);

    const many = storeFile(
      Array.from({ length: FIX_MESSAGES_LIMIT + 20 }, (_, i) =>
        inn(i + 1, "8", [[11, "O-1"]], `20261130-01:00:01.${String(i).padStart(3, "0")}`),
      ),
    );
    const bounded = await orderFixMessages("O-1", orders, [{ venueId: "A", file: many }]);
    expect(bounded.truncated).toBe(true);
    expect(bounded.messages).toHaveLength(FIX_MESSAGES_LIMIT);
    expect(bounded.messages[0]?.seq).toBe(21);
    expect(bounded.messages.at(-1)?.seq).toBe(FIX_MESSAGES_LIMIT + 20);

    expect(await orderFixMessages("O-3", orders, [{ venueId: "A", file: a }])).toEqual({ orderId: "O-3", messages: [], truncated: false });
    expect(await orderFixMessages("O-3", orders, [])).toEqual({ orderId: "O-3", messages: [], truncated: false });
  });

  it("refuses an id that is not 1–128 characters and an order the engine does not know", async () => {
    const orders = book(order("O-1"));
    await expect(orderFixMessages("x".repeat(129), orders, [])).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(orderFixMessages(" ", orders, [])).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(orderFixMessages("O-9", orders, [])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
