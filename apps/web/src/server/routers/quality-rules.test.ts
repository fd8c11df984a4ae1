import { createPrisma, type PrismaClient } from "@fillmore/db";
import { freshDatabase } from "@fillmore/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../auth";
import type { EngineClient } from "../engine-client";
import { type AdminEvent, setAdminAuditSink } from "../reports/admin-audit";
import { appRouter } from "./root";

// Execution-quality alert rules are set by the risk role and journaled with who and what: the rule
// and its audit event go together, and a rule whose event cannot be journaled is not saved.

let prisma: PrismaClient;
let cleanup: () => Promise<void>;
const events: AdminEvent[] = [];
let journalDown = false;
const risk: Principal = { kind: "user", id: "u-r", email: "risk@x.test", name: "r", role: "risk" };

beforeAll(async () => {
  const db = await freshDatabase();
  cleanup = db.cleanup;
  prisma = createPrisma(db.url);
  setAdminAuditSink(async (event) => {
    if (journalDown) throw new Error("engine unreachable");
    events.push(event);
  });
}, 120_000);
afterAll(async () => {
  setAdminAuditSink(null);
  await prisma?.$disconnect();
  await cleanup?.();
});

const api = () => appRouter.createCaller({ principal: risk, engine: {} as EngineClient, prisma }).quality;
const ruleIds = async () => (await api().alertRules()).rules.map((r) => r.id);

describe("quality alert rules are journaled", () => {
  it("a rule set and changed journals QualityAlertRuleSet with the rule as saved; removing it journals QualityAlertRuleDeleted", async () => {
    await api().setAlertRule({ id: "deep-rejects", metric: "rejectRatePct", venue: "SIM-DEEP", threshold: 5 });
    expect(events.at(-1)).toEqual({
      type: "QualityAlertRuleSet",
      actor: "user:risk@x.test",
      data: {
        ruleId: "deep-rejects",
        metric: "rejectRatePct",
        venue: "SIM-DEEP",
        threshold: 5,
        clearBelow: 4,
        windowMs: 60_000,
        minOrders: 10,
        enabled: true,
      },
    });
    await api().setAlertRule({
      id: "deep-rejects",
      metric: "rejectRatePct",
      venue: "SIM-DEEP",
      threshold: 8,
      clearBelow: 6,
      enabled: false,
    });
    expect(events.at(-1)?.data).toMatchObject({ threshold: 8, clearBelow: 6, enabled: false });
    await api().deleteAlertRule({ id: "deep-rejects" });
    expect(events.at(-1)).toEqual({ type: "QualityAlertRuleDeleted", actor: "user:risk@x.test", data: { ruleId: "deep-rejects" } });
    expect(await ruleIds()).toEqual([]);
  });

  it("when the journal cannot be reached, nothing is saved or removed, and the caller is told", async () => {
    await api().setAlertRule({ id: "kept", metric: "rejectRatePct", venue: null, threshold: 5 });
    const before = events.length;
    journalDown = true;
    try {
      await expect(api().setAlertRule({ id: "new-one", metric: "rejectRatePct", venue: null, threshold: 5 })).rejects.toThrow(
        /engine unreachable/,
      );
      await expect(api().deleteAlertRule({ id: "kept" })).rejects.toThrow(/engine unreachable/);
    } finally {
      journalDown = false;
    }
    expect(await ruleIds()).toEqual(["kept"]);
    expect(events.length).toBe(before);
  });
});
