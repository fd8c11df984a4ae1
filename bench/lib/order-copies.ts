import type { AnyEvent } from "@fillmore/shared";
import type pg from "pg";
import { canonicalJson, chainHashText } from "../../apps/engine/src/journal/hash";

/**
 * Appends `copies` copies of one journaled order's whole lifecycle (every event with its order_id, as
 * the engine wrote them: OrderReceived … OrderFilled), so the journal grows by some 100,000 events a
 * few seconds and stays REPLAYABLE and VERIFIABLE: the engine's own start, the book as of T and the
 * chain's verification read these (bench/lib/generated-journal.ts's events are shaped for search
 * only, with placeholder hashes). Copy k is order O<firstNumber + k>: its ids (the order id, its venue
 * order id, client order id and exec ids) made unique by replacing the template's values in the
 * payload text; every odd copy a Sell, so positions stay flat; seq and ts continue the journal (1 µs
 * apart); each event linked to the chain with the engine's own hash (unkeyed, or keyed with `key`).
 * Stop the engine first: it appends to the same journal.
 *
 * The copies are not in the orders read model, and the template's row is marked projected up to the
 * new head: otherwise the engine's next start hands every copied event to its projector at once, and
 * Projector.enqueue's `queue.push(...entries)` overflows the stack past some 120,000 entries.
 */
export async function appendOrderCopies(
  pool: pg.Pool,
  templateOrderId: string,
  copies: number,
  options: { firstNumber?: number; key?: Buffer; log?: (line: string) => void } = {},
): Promise<{ events: number; head: number }> {
  const first = options.firstNumber ?? 1_000_000;
  const { rows: template } = await pool.query<{ type: string; account_id: string | null; actor: string | null; payload: AnyEvent }>(
    "SELECT type, account_id, actor, payload FROM journal WHERE order_id = $1 ORDER BY seq",
    [templateOrderId],
  );
  const received = template.find((t) => t.type === "OrderReceived")?.payload as { data: { order: { clOrdId: string } } } | undefined;
  if (!received) throw new Error(`no journaled order ${templateOrderId} to copy`);
  const execs = template.flatMap((t) => {
    const execId = (t.payload.data as { execId?: unknown }).execId;
    return typeof execId === "string" ? [execId] : [];
  });
  // The template's unique strings, each made unique per copy: "<value>" -> "<value>-<k>".
  const uniques = [received.data.order.clOrdId, ...execs].map((u) => JSON.stringify(u));
  const texts = template.map((t) => JSON.stringify(t.payload).replaceAll(`${templateOrderId}"`, "\u0000ID\u0000"));
  const { rows: heads } = await pool.query<{ seq: string; hash: string; ts: string }>(
    `SELECT seq::text AS seq, hash, payload->>'ts' AS ts FROM journal ORDER BY seq DESC LIMIT 1`,
  );
  const head = heads[0];
  if (!head) throw new Error("the journal is empty");
  let seq = Number(head.seq);
  let prev = head.hash;
  // Microseconds since the epoch, from the journal's own "…:SS.ffffffZ".
  let us = Date.parse(`${head.ts.slice(0, 23)}Z`) * 1000 + Number(head.ts.slice(23, 26) || "0");
  const isoOf = (t: number) => `${new Date(Math.floor(t / 1000)).toISOString().slice(0, 23)}${String(t % 1000).padStart(3, "0")}Z`;
  const BATCH = 5000;
  let rows: unknown[][] = Array.from({ length: 9 }, () => []);
  const flush = async () => {
    if (rows[0]?.length === 0) return;
    await pool.query(
      `INSERT INTO journal (seq, ts, type, order_id, account_id, actor, payload, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])`,
      rows,
    );
    rows = Array.from({ length: 9 }, () => []);
  };
  for (let k = 0; k < copies; k++) {
    const orderId = `O${first + k}`;
    for (let i = 0; i < template.length; i++) {
      let text = (texts[i] as string).replaceAll("\u0000ID\u0000", `${orderId}"`);
      for (const u of uniques) text = text.replaceAll(u, `${u.slice(0, -1)}-${k}"`);
      if (k % 2 === 1) text = text.replaceAll('"side":"Buy"', '"side":"Sell"');
      const event = JSON.parse(text) as AnyEvent & { seq: number; ts: string };
      seq += 1;
      us += 1;
      event.seq = seq;
      event.ts = isoOf(us);
      const canonical = canonicalJson(event);
      const hash = chainHashText(options.key, prev, canonical);
      const t = template[i] as (typeof template)[number];
      const values = [seq, event.ts, t.type, orderId, t.account_id, t.actor, canonical, prev, hash];
      for (const [c, v] of values.entries()) rows[c]?.push(v);
      prev = hash;
      if ((rows[0]?.length ?? 0) >= BATCH) await flush();
    }
    if (options.log && (k + 1) % 50_000 === 0) options.log(`journal: ${(k + 1).toLocaleString("en-US")} order copies appended`);
  }
  await flush();
  await pool.query("UPDATE orders SET last_seq = $1 WHERE id = $2", [seq, templateOrderId]);
  return { events: copies * template.length, head: seq };
}
