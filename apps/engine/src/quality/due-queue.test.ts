import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DueQueue } from "./due-queue";

describe("DueQueue", () => {
  it("gives every item back once, in order, when it is due, across compactions", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4000 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        (gaps, steps) => {
          const queue = new DueQueue<{ dueMs: number; id: number }>();
          const items: { dueMs: number; id: number }[] = [];
          for (const [id, gap] of gaps.entries()) items.push({ dueMs: (items[id - 1]?.dueMs ?? 0) + gap, id });
          for (const item of items) queue.push(item);
          const taken: number[] = [];
          let now = 0;
          for (const step of steps) {
            now += step;
            const batch = queue.takeDue(now);
            expect(batch.every((item) => item.dueMs <= now)).toBe(true);
            expect(queue.peek() === undefined || (queue.peek()?.dueMs ?? 0) > now).toBe(true);
            taken.push(...batch.map((item) => item.id));
            expect(queue.length).toBe(items.length - taken.length);
          }
          expect(taken).toEqual(items.filter((item) => item.dueMs <= now).map((item) => item.id));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps taking in order when items are pushed between takes, long after the first compaction", () => {
    const queue = new DueQueue<{ dueMs: number }>();
    const taken: number[] = [];
    for (let t = 0; t < 10_000; t += 1) {
      queue.push({ dueMs: t + 60 });
      for (const item of queue.takeDue(t)) taken.push(item.dueMs);
    }
    expect(taken).toEqual(Array.from({ length: 10_000 - 60 }, (_, i) => i + 60));
    expect(queue.length).toBe(60);
    queue.clear();
    expect([queue.length, queue.peek()]).toEqual([0, undefined]);
  });
});
