import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineClient } from "../engine-client";
import { insertFill, insertOrder } from "../reports/test-fills";
import { checkDigest, parseDigest } from "./digest";
import { listScheduled, scheduledFile } from "./scheduled-store";
import { DailyScheduler, type SchedulerClock } from "./scheduler";

// The scheduler against Postgres with a fake clock: at a session boundary (21:00 UTC here) the trading
// day's trade report is written as CSV and PDF and the journal head at the boundary signed; each file
// journaled as ExportProduced by `scheduler`; days missed while the console was down are made at the
// next start; a day whose journaling fails leaves nothing and is made later.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fillmore-scheduler-test-"));
const journaled: { type: string; actor: string; data: Record<string, unknown> }[] = [];
let refuse = false;
const engine = {
  async journalAdminEvent(event: { type: string; actor: string; data: Record<string, unknown> }) {
    if (refuse) throw new Error("engine unavailable");
    journaled.push(event);
    return { seq: 1000 + journaled.length, ts: new Date().toISOString(), type: event.type };
  },
} as unknown as EngineClient;

/** A clock the test moves; `after` keeps the timer so the test can see and fire it. */
class FakeClock implements SchedulerClock {
  timers: { at: number; fn: () => void }[] = [];
  constructor(public now: number) {}
  nowMs() {
    return this.now;
  }
  after(ms: number, fn: () => void) {
    const timer = { at: this.now + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
}

const config = {
  enabled: true,
  sessionEndMinutes: 21 * 60,
  keyFile: path.join(dir, "data", "digest-ed25519.pem"),
  dir: path.join(dir, "scheduled"),
  catchUpDays: 31,
};
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const scheduler = (clock: FakeClock) => new DailyScheduler({ prisma, engine, config, log, clock });
const at = (iso: string) => Date.parse(iso);

async function journal(seq: number, ts: string, hash: string): Promise<void> {
  await prisma.$executeRawUnsafe(
    "INSERT INTO journal (seq, ts, type, payload, prev_hash, hash) VALUES ($1, $2::timestamptz, 'Test', '{}', '', $3)",
    seq,
    ts,
    hash,
  );
}

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  await insertOrder(prisma, { id: "O1", clOrdId: "C1", accountId: "ACC-ALPHA", strategy: "S1", symbol: "AAPL", side: "Buy" });
  await insertOrder(prisma, { id: "O2", clOrdId: "C2", accountId: "ACC-BETA", strategy: "S1", symbol: "AAPL", side: "Sell" });
  // Trading day 2026-03-02 is [03-01 21:00, 03-02 21:00): the first fill belongs to it, the last to 03-03.
  await insertFill(prisma, { seq: 1, orderId: "O1", side: "Buy", qty: "100", px: "10", ts: "2026-03-01T22:00:00Z" });
  await insertFill(prisma, { seq: 2, orderId: "O1", side: "Buy", qty: "50", px: "11", ts: "2026-03-02T14:00:00Z" });
  await insertFill(prisma, { seq: 3, orderId: "O2", side: "Sell", qty: "40", px: "12", ts: "2026-03-02T22:30:00Z" });
  await journal(1, "2026-03-02T14:00:00.123456Z", "a1".repeat(32));
  await journal(2, "2026-03-02T22:30:00Z", "b2".repeat(32));
});

afterAll(async () => {
  await prisma?.$disconnect();
  await cleanup?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

const csvRows = (file: string) => fs.readFileSync(file, "utf8").trim().split("\r\n").slice(1);

describe("scheduled daily reports", () => {
  it("a journaling failure at the boundary leaves no day and no file, and is tried again in 5 minutes", async () => {
    refuse = true;
    const clock = new FakeClock(at("2026-03-02T21:00:01Z"));
    const s = scheduler(clock);
    try {
      s.start();
      await s.runDue();
      await new Promise((r) => setTimeout(r, 10));
      // Tried again in 5 minutes, not at the next boundary.
      expect(clock.timers.map((t) => new Date(t.at).toISOString())).toEqual(["2026-03-02T21:05:01.000Z"]);
    } finally {
      refuse = false;
      s.stop();
    }
    expect(await listScheduled(config.dir)).toEqual([]);
    expect(fs.readdirSync(path.join(config.dir, "2026-03-02"))).toEqual([]);
  });

  it("at the boundary: the day's report as CSV and PDF and the signed head, each journaled by scheduler", async () => {
    const clock = new FakeClock(at("2026-03-02T21:00:01Z"));
    const [day] = await scheduler(clock).runDue();
    expect(day).toMatchObject({ day: "2026-03-02", from: "2026-03-01T21:00:00.000Z", to: "2026-03-02T21:00:00.000Z" });
    expect(day?.files.map((f) => f.fileName)).toEqual([
      "trades-2026-03-02.csv",
      "trades-2026-03-02.pdf",
      "chain-digest-2026-03-02.json",
      "digest-public-key.pem",
    ]);
    const csv = await scheduledFile(config.dir, "2026-03-02", "trades-2026-03-02.csv");
    expect(csvRows(csv?.file ?? "").map((r) => r.split(",")[0])).toEqual(["1", "2"]); // fills of the trading day only
    const pdf = await scheduledFile(config.dir, "2026-03-02", "trades-2026-03-02.pdf");
    expect(
      fs
        .readFileSync(pdf?.file ?? "")
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    // Every file but the key is journaled with its SHA-256, by the scheduler.
    const events = journaled.filter((e) => e.actor === "scheduler");
    expect(events.map((e) => [e.data.source, e.data.format, e.data.fileName])).toEqual([
      ["trades", "csv", "trades-2026-03-02.csv"],
      ["trades", "pdf", "trades-2026-03-02.pdf"],
      ["chain-digest", "json", "chain-digest-2026-03-02.json"],
    ]);
    for (const e of events) {
      const kept = await scheduledFile(config.dir, "2026-03-02", String(e.data.fileName));
      expect(
        createHash("sha256")
          .update(fs.readFileSync(kept?.file ?? ""))
          .digest("hex"),
      ).toBe(e.data.sha256);
    }

    // The digest signs the head at the boundary (seq 1, not the later seq 2) and verifies with the exported key.
    const digestFile = await scheduledFile(config.dir, "2026-03-02", "chain-digest-2026-03-02.json");
    const parsed = parseDigest(fs.readFileSync(digestFile?.file ?? "", "utf8"));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.digest).toMatchObject({ seq: 1, hash: "a1".repeat(32), ts: "2026-03-02T14:00:00.123456Z" });
    const publicKey = fs.readFileSync(path.join(config.dir, "2026-03-02", "digest-public-key.pem"), "utf8");
    expect(checkDigest(parsed.digest, publicKey, { seq: 1, hash: "a1".repeat(32), ts: "2026-03-02T14:00:00.123456Z" }).ok).toBe(true);

    // Run again at the same moment: nothing more.
    expect(await scheduler(clock).runDue()).toEqual([]);
  });

  it("days missed while the console was down are made at the next start, oldest first; then a timer for the next boundary", async () => {
    const clock = new FakeClock(at("2026-03-05T09:00:00Z"));
    const s = scheduler(clock);
    s.start();
    await s.runDue();
    const days = await listScheduled(config.dir);
    expect(days.map((d) => d.day)).toEqual(["2026-03-04", "2026-03-03", "2026-03-02"]);
    const day3 = await scheduledFile(config.dir, "2026-03-03", "trades-2026-03-03.csv");
    expect(csvRows(day3?.file ?? "").map((r) => r.split(",")[0])).toEqual(["3"]);
    expect(
      csvRows(day3?.file ?? "")[0]
        ?.split(",")
        .at(-1),
    ).toBe("0"); // ACC-BETA's own book, opened short
    // The next boundary: 2026-03-05 21:00 (+1 s); firing it makes that day.
    await new Promise((r) => setTimeout(r, 10));
    expect(clock.timers.map((t) => new Date(t.at).toISOString())).toEqual(["2026-03-05T21:00:01.000Z"]);
    clock.now = at("2026-03-05T21:00:01Z");
    clock.timers[0]?.fn();
    await new Promise((r) => setTimeout(r, 10));
    await s.runDue();
    s.stop();
    expect((await listScheduled(config.dir)).map((d) => d.day)[0]).toBe("2026-03-05");
  });
});
