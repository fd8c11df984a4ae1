import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../src/alerts/webhook";
import { createHarness, type Harness, until } from "./harness";

// The alert centre against a real engine (Postgres journal, simulated venues), through its internal
// API, with a webhook receiver on 127.0.0.1 that checks every signature.

const SECRET = "test-webhook-secret-0123456789";
const RISK = "user:risk@fillmore.test";

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { deliveryId: string; event: string; alert: { alertId: string; code: string; severity: string } };
  answered: number;
}

/** A webhook receiver: answers 500 to the next `failNext` requests, then 204. */
function receiver() {
  const received: Received[] = [];
  const state = { failNext: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answered = state.failNext > 0 ? 500 : 204;
      if (state.failNext > 0) state.failNext -= 1;
      received.push({ at: Date.now(), headers: req.headers, body, json: JSON.parse(body), answered });
      res.writeHead(answered);
      res.end();
    });
  });
  return { server, received, state };
}

let h: Harness;
const hook = receiver();
const alerts = async (query = "state=all") => (await h.api(`/v1/alerts?${query}`)).json;
const alertOf = async (code: string, subject?: string) =>
  ((await alerts()).alerts as { code: string; subject: string }[]).find(
    (a) => a.code === code && (subject === undefined || a.subject === subject),
  );
const raise = (code: string, orderId: string | null, subject?: string) =>
  h.engine?.journal.append({
    type: "AlertRaised",
    orderId,
    accountId: orderId ? "ACC-ALPHA" : null,
    actor: "venue:SIM-FAST",
    data: { code, message: `${code} for the test`, ...(subject ? { subject } : {}) },
  });
const journalOf = async (type: string, alertId: string) => {
  await h.engine?.journal.durable(); // applied is not yet committed: wait for the group commit
  return (
    await h.pool.query("SELECT actor, payload FROM journal WHERE type = $1 AND payload->'data'->>'alertId' = $2 ORDER BY seq", [
      type,
      alertId,
    ])
  ).rows as { actor: string; payload: { ts: string; data: Record<string, unknown> } }[];
};

beforeAll(async () => {
  await new Promise<void>((resolve) => hook.server.listen(0, "127.0.0.1", resolve));
  const port = (hook.server.address() as AddressInfo).port;
  h = await createHarness({
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/fillmore`,
    ALERT_WEBHOOK_SECRET: SECRET,
    ALERT_WEBHOOK_BACKOFF_MS: 150,
    ALERT_WEBHOOK_MAX_ATTEMPTS: 4,
  });
  await h.start();
}, 60_000);
afterAll(async () => {
  await h?.close();
  hook.server.close();
});

describe("alerts from engine events", () => {
  let overFill = "";

  it("an OVER_FILL raised twice for one order is one critical alert with a count of 2, delivered signed to the webhook", async () => {
    raise("OVER_FILL", "O-TEST-1");
    raise("OVER_FILL", "O-TEST-1");
    const alert = await until(async () => {
      const a = (await alertOf("OVER_FILL", "O-TEST-1")) as { count: number } | undefined;
      return a && a.count === 2 ? a : undefined;
    });
    expect(alert).toMatchObject({ severity: "critical", state: "open", orderId: "O-TEST-1", accountId: "ACC-ALPHA", count: 2 });
    overFill = (alert as unknown as { alertId: string }).alertId;
    expect((await alerts("state=open")).alerts.filter((a: { code: string }) => a.code === "OVER_FILL")).toHaveLength(1);

    const delivery = await until(() => hook.received.find((r) => r.json.alert.alertId === overFill && r.answered === 204));
    expect(delivery.json).toMatchObject({ event: "alert.raised", alert: { code: "OVER_FILL", severity: "critical" } });
    expect(delivery.headers["content-type"]).toBe("application/json");
    const timestamp = String(delivery.headers["x-fillmore-timestamp"]);
    const signature = String(delivery.headers["x-fillmore-signature"]);
    // The receiver's check, written out: HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret.
    expect(signature).toBe(`sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${delivery.body}`).digest("hex")}`);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
    expect(verifyWebhook(SECRET, { signature, timestamp }, delivery.body)).toBe(true);
    expect(verifyWebhook("another-secret-0123456789", { signature, timestamp }, delivery.body)).toBe(false);
    expect(delivery.headers["x-fillmore-delivery"]).toBe(`${overFill}.raised.0`);
    await until(async () => ((await journalOf("AlertDelivered", overFill)).length === 1 ? true : undefined));
  });

  it("acknowledged with who, when and a note (journaled); a second acknowledgement is refused; resolve needs a note", async () => {
    const ack = await h.api(`/v1/alerts/${overFill}/acknowledge`, { body: { actor: RISK, note: "calling the venue" } });
    expect(ack.status, JSON.stringify(ack.json)).toBe(200);
    expect(ack.json.alert).toMatchObject({ state: "acknowledged", acknowledgedBy: RISK, ackNote: "calling the venue" });
    expect(ack.json.alert.acknowledgedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const rows = await journalOf("AlertAcknowledged", overFill);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: RISK, payload: { ts: ack.json.alert.acknowledgedAt, data: { note: "calling the venue" } } });

    const again = await h.api(`/v1/alerts/${overFill}/acknowledge`, { body: { actor: "user:other@x", note: "" } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already acknowledged by user:risk@fillmore.test/);
    expect((await h.api(`/v1/alerts/${overFill}/resolve`, { body: { actor: RISK, note: " " } })).status).toBe(400);
    expect((await h.api("/v1/alerts/AL-999999/acknowledge", { body: { actor: RISK } })).status).toBe(404);
    expect((await h.api("/v1/alerts?state=bogus")).status).toBe(400);
    expect((await h.api("/v1/alerts", { token: null })).status).toBe(401);
  });

  it("a venue taken DOWN is one alert that resolves itself when the venue is back UP", async () => {
    const down = await h.api("/v1/venues/SIM-FAST/outage", { body: { actor: RISK, down: true } });
    expect(down.status).toBe(200);
    const alert = (await until(() => alertOf("VENUE_DOWN", "SIM-FAST"), 10_000)) as unknown as { alertId: string; severity: string };
    expect(alert).toMatchObject({ severity: "critical", state: "open", clears: true });
    await h.api("/v1/venues/SIM-FAST/outage", { body: { actor: RISK, down: false } });
    const cleared = await until(async () => {
      const a = (await alertOf("VENUE_DOWN", "SIM-FAST")) as { state: string } | undefined;
      return a?.state === "resolved" ? a : undefined;
    }, 10_000);
    expect(cleared).toMatchObject({ resolution: "cleared", resolvedBy: "alerts" });
    expect((await alerts()).alerts.filter((a: { code: string }) => a.code === "VENUE_DOWN")).toHaveLength(1);
    // Both the raise and the clear went to the webhook.
    await until(() => hook.received.find((r) => r.json.deliveryId === `${alert.alertId}.cleared.0` && r.answered === 204));
  });

  it("a receiver failing twice then answering: retried with backoff, each attempt journaled", async () => {
    hook.state.failNext = 2;
    raise("VENUE_SEND_FAILED", "O-TEST-2");
    const alert = (await until(() => alertOf("VENUE_SEND_FAILED", "O-TEST-2"))) as unknown as { alertId: string };
    const hits = await until(() => {
      const mine = hook.received.filter((r) => r.json.alert.alertId === alert.alertId);
      return mine.length >= 3 ? mine : undefined;
    }, 10_000);
    expect(hits.map((r) => r.answered)).toEqual([500, 500, 204]);
    expect(hits.map((r) => r.headers["x-fillmore-attempt"])).toEqual(["1", "2", "3"]);
    expect(new Set(hits.map((r) => r.body)).size).toBe(1); // the same bytes each time
    for (const r of hits)
      expect(
        verifyWebhook(
          SECRET,
          { signature: String(r.headers["x-fillmore-signature"]), timestamp: String(r.headers["x-fillmore-timestamp"]) },
          r.body,
        ),
      ).toBe(true);
    // Exponential backoff: 150 ms after the first failure, 300 ms after the second.
    expect((hits[1]?.at ?? 0) - (hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(140);
    expect((hits[2]?.at ?? 0) - (hits[1]?.at ?? 0)).toBeGreaterThanOrEqual(290);

    await until(async () => ((await journalOf("AlertDelivered", alert.alertId)).length === 1 ? true : undefined));
    const failed = await journalOf("AlertDeliveryFailed", alert.alertId);
    expect(failed.map((r) => r.payload.data)).toEqual([
      expect.objectContaining({ attempt: 1, error: "HTTP 500", final: false, retryInMs: 150, target: "webhook" }),
      expect.objectContaining({ attempt: 2, error: "HTTP 500", final: false, retryInMs: 300, target: "webhook" }),
    ]);
    expect((await journalOf("AlertDelivered", alert.alertId))[0]?.payload.data).toMatchObject({ attempt: 3, status: 204 });
    expect(await alertOf("VENUE_SEND_FAILED", "O-TEST-2")).toMatchObject({ delivery: { state: "delivered", attempts: 3 } });
  });

  it("after a restart, replay gives back the same alerts: acknowledged with who/when/note, cleared, counts; nothing sent twice", async () => {
    const before = (await alerts()).alerts;
    const sent = hook.received.length;
    await h.engine?.stop();
    await h.start();
    const after = (await alerts()).alerts;
    const keys = ["alertId", "code", "state", "count", "acknowledgedBy", "acknowledgedAt", "ackNote", "resolution", "delivery"];
    const pick = (list: Record<string, unknown>[]) => list.map((a) => Object.fromEntries(keys.map((k) => [k, a[k]])));
    expect(pick(after)).toEqual(pick(before));
    expect(after.find((a: { alertId: string }) => a.alertId === overFill)).toMatchObject({
      state: "acknowledged",
      acknowledgedBy: RISK,
      ackNote: "calling the venue",
      count: 2,
    });
    const resolved = await h.api(`/v1/alerts/${overFill}/resolve`, { body: { actor: RISK, note: "venue busted the extra fill" } });
    expect(resolved.json.alert).toMatchObject({ state: "resolved", resolution: "manual", resolvedBy: RISK });
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.received.length).toBe(sent);
  });
});
