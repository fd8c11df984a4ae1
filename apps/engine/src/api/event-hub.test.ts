import type { AnyEvent } from "@fillmore/shared";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../journal/journal";
import { EventHub } from "./event-hub";

const entry = (seq: number): JournalEntry =>
  ({
    event: {
      seq,
      ts: "2026-11-30T00:00:00.000000Z",
      type: "VenueHealthChanged",
      orderId: null,
      accountId: null,
      actor: "engine",
      data: {},
    },
    prevHash: "",
    hash: "",
  }) as unknown as JournalEntry & { event: AnyEvent };

describe("EventHub", () => {
  it("resumes a client from its last seq, in order, and delivers new items to subscribers", () => {
    const hub = new EventHub(0, 100);
    hub.publish([1, 2, 3].map(entry));
    expect(hub.since(1)?.map((i) => i.seq)).toEqual([2, 3]);
    expect(hub.since(3)).toEqual([]);
    const seen: number[] = [];
    hub.subscribe((item) => seen.push(item.seq));
    hub.publish([4, 5].map(entry));
    expect(seen).toEqual([4, 5]);
    expect(hub.since(4 + 10)).toBeNull();
  });

  it("holds a bounded backlog: further back than it holds, the client is told to take a snapshot (null)", () => {
    const hub = new EventHub(0, 100);
    for (let seq = 1; seq <= 1000; seq += 1) hub.publish([entry(seq)]);
    const held = hub.since(899);
    expect(held?.map((i) => i.seq)).toEqual(Array.from({ length: 101 }, (_, i) => 900 + i));
    expect(hub.since(850)).toBeNull();
    // Never more than capacity plus the trimming step (a tenth), never less than capacity once full.
    for (let seq = 1001; seq <= 1300; seq += 1) {
      hub.publish([entry(seq)]);
      expect(hub.heldCount).toBeGreaterThanOrEqual(100);
      expect(hub.heldCount).toBeLessThanOrEqual(110);
    }
  });
});
