import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HorizonQueue } from "./horizon-queue";

const horizonsArb = fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 3 }).map((hs) => hs.sort((a, b) => a - b));

describe("HorizonQueue", () => {
  it("takes every item once at each horizon when it is due, in order, and an item's horizons shortest first, across compactions", () => {
    fc.assert(
      fc.property(
        horizonsArb,
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3000 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        (horizons, gaps, steps) => {
          const queue = new HorizonQueue<{ atMs: number; id: number }>(horizons);
          const items: { atMs: number; id: number }[] = [];
          for (const [id, gap] of gaps.entries()) items.push({ atMs: (items[id - 1]?.atMs ?? 0) + gap, id });
          for (const item of items) queue.push(item);
          const takenAt = horizons.map(() => [] as number[]);
          const lastHorizonOf = new Map<number, number>();
          let now = 0;
          for (const step of steps) {
            now += step;
            const count = queue.takeDue(now, (item, h) => {
              expect(item.atMs + (horizons[h] as number)).toBeLessThanOrEqual(now);
              expect(h).toBeGreaterThan(lastHorizonOf.get(item.id) ?? -1);
              lastHorizonOf.set(item.id, h);
              takenAt[h]?.push(item.id);
            });
            expect(count).toBeGreaterThanOrEqual(0);
            const due = queue.nextDueMs();
            expect(due === undefined || due > now).toBe(true);
            expect(queue.length).toBe(items.filter((i) => i.atMs + (horizons.at(-1) as number) > now).length);
          }
          for (const [h, horizon] of horizons.entries())
            expect(takenAt[h]).toEqual(items.filter((i) => i.atMs + horizon <= now).map((i) => i.id));
          expect(queue.waiting().map((i) => i.id)).toEqual(
            items.filter((i) => i.atMs + (horizons.at(-1) as number) > now).map((i) => i.id),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps taking in order when items are pushed between takes, long after the first compaction", () => {
    const queue = new HorizonQueue<{ atMs: number }>([10, 60]);
    const taken: [number, number][] = [];
    for (let t = 0; t < 10_000; t += 1) {
      queue.push({ atMs: t });
      queue.takeDue(t, (item, h) => taken.push([item.atMs, h]));
    }
    expect(taken.filter(([, h]) => h === 0).map(([at]) => at)).toEqual(Array.from({ length: 10_000 - 10 }, (_, i) => i));
    expect(taken.filter(([, h]) => h === 1).map(([at]) => at)).toEqual(Array.from({ length: 10_000 - 60 }, (_, i) => i));
    expect([queue.length, queue.nextDueMs()]).toEqual([60, 9_940 + 60]);
    queue.clear();
    expect([queue.length, queue.nextDueMs(), queue.waiting()]).toEqual([0, undefined, []]);
  });

  it("refuses horizons out of order or repeated", () => {
    expect(() => new HorizonQueue([5, 1])).toThrow(/ascending/);
    expect(() => new HorizonQueue([1, 1])).toThrow(/ascending/);
    expect(() => new HorizonQueue([])).toThrow(/ascending/);
  });
});
