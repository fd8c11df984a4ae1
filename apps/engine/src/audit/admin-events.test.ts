import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../../test/harness";

// POST /v1/audit/events: administrative actions journaled like any event, chained, durable, and
// harmless to replay (the engine restarts on a journal holding them and the chain verifies).

let h: Harness;
const sha = "a".repeat(64);
const exportEvent = {
  type: "ExportProduced",
  actor: "user:compliance@x.test",
  data: {
    exportId: "X1",
    source: "trades",
    format: "csv",
    fileName: "trades.csv",
    filters: { symbol: "AAPL" },
    rows: 3,
    bytes: 120,
    sha256: sha,
  },
};

beforeAll(async () => {
  h = await createHarness();
  await h.start();
});
afterAll(() => h?.close());

describe("POST /v1/audit/events", () => {
  it("journals an export with who, filters, rows and the file's SHA-256, durable when it answers", async () => {
    const { status, json } = await h.api("/v1/audit/events", { body: exportEvent });
    expect(status).toBe(201);
    const { rows } = await h.pool.query("SELECT type, actor, account_id, payload FROM journal WHERE seq = $1", [json.seq]);
    expect(rows[0]).toMatchObject({ type: "ExportProduced", actor: "user:compliance@x.test", account_id: null });
    expect(rows[0].payload.data).toEqual(exportEvent.data);
  });

  it.each([
    ["an unknown type", { ...exportEvent, type: "OrderFilled" }, /type/],
    ["a bad hash", { ...exportEvent, data: { ...exportEvent.data, sha256: "xyz" } }, /sha256/],
    ["an extra field", { ...exportEvent, data: { ...exportEvent.data, extra: 1 } }, /extra/],
    ["no actor", { ...exportEvent, actor: "" }, /actor/],
  ])("refuses %s with 400 and journals nothing", async (_name, body, message) => {
    const before = await h.pool.query("SELECT count(*)::int AS n FROM journal");
    const { status, json } = await h.api("/v1/audit/events", { body });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(message);
    const after = await h.pool.query("SELECT count(*)::int AS n FROM journal");
    expect(after.rows[0].n - before.rows[0].n).toBeLessThanOrEqual(1); // a background venue-health event may land meanwhile
    const { rows } = await h.pool.query("SELECT count(*)::int AS n FROM journal WHERE type = 'ExportProduced'");
    expect(rows[0].n).toBe(1);
  });

  it("journals key, sign-in, user, role and alert-rule events; the engine restarts on them and the chain verifies", async () => {
    for (const body of [
      { type: "ApiKeyCreated", actor: "user:admin@x.test", data: { keyId: "k1", name: "bot", role: "trader", accountIds: [] } },
      { type: "ApiKeyRevoked", actor: "user:admin@x.test", data: { keyId: "k1", name: "bot" } },
      { type: "UserSignedIn", actor: "user:admin@x.test", data: { userId: "u1", email: "admin@x.test", ip: "127.0.0.1" } },
      { type: "SignInFailed", actor: "anonymous", data: { email: "who@x.test", ip: "127.0.0.1", outcome: "unknown-account" } },
      { type: "SignInFailed", actor: "user:n@x.test", data: { email: "n@x.test", ip: "127.0.0.1", outcome: "disabled" } },
      { type: "UserRoleChanged", actor: "user:admin@x.test", data: { userId: "u2", email: "t@x.test", old: "trader", new: "risk" } },
      { type: "UserCreated", actor: "user:admin@x.test", data: { userId: "u3", email: "n@x.test", name: "New", role: "trader" } },
      { type: "UserDisabled", actor: "user:admin@x.test", data: { userId: "u3", email: "n@x.test", role: "trader", sessionsRevoked: 2 } },
      {
        type: "QualityAlertRuleSet",
        actor: "user:risk@x.test",
        data: {
          ruleId: "r1",
          metric: "rejectRatePct",
          venue: null,
          threshold: 5,
          clearBelow: 4,
          windowMs: 60000,
          minOrders: 10,
          enabled: true,
        },
      },
      { type: "QualityAlertRuleDeleted", actor: "user:risk@x.test", data: { ruleId: "r1" } },
    ])
      expect((await h.api("/v1/audit/events", { body })).status).toBe(201);
    await h.engine?.stop();
    await h.start();
    const verify = await h.api("/v1/audit/verify");
    expect(verify.json).toMatchObject({ ok: true });
  });
});

describe("POST /v1/audit/events, the CAT files' formats", () => {
  it.each([
    ["bz2", "12345_FLMR_20260803_G1_OrderEvents_000001.json.bz2"],
    ["meta.json", "12345_FLMR_20260803_G1_OrderEvents_000001.meta.json"],
  ])("journals an export of format %s (the CAT data file and its metadata)", async (format, fileName) => {
    const body = { ...exportEvent, data: { ...exportEvent.data, source: "regulatory:cat", format, fileName } };
    const { status, json } = await h.api("/v1/audit/events", { body });
    expect(status).toBe(201);
    const { rows } = await h.pool.query("SELECT payload FROM journal WHERE seq = $1", [json.seq]);
    expect(rows[0].payload.data).toMatchObject({ format, fileName });
  });
});
