import type pg from "pg";
import { EngineClient } from "../engine-client";
import { type AdminAuditSink, type AdminEvent, setAdminAuditSink } from "../reports/admin-audit";

/**
 * The engine's audit door for tests: each administrative event is kept in `events` and appended to the
 * journal table (as the engine would, without the chain), so code that reads the journal back sees it.
 * `unreachable()` makes the door fail as an engine that is down does (a real EngineClient to a closed port).
 */
export function journalSink(pool: pg.Pool) {
  const events: AdminEvent[] = [];
  const writing: AdminAuditSink = async (event) => {
    await pool.query(
      `INSERT INTO journal (seq, ts, type, actor, payload, prev_hash, hash)
       SELECT coalesce(max(seq), 0) + 1, now(), $1, $2, $3, 'test', 'test' FROM journal`,
      [event.type, event.actor, JSON.stringify({ data: event.data })],
    );
    events.push(event);
  };
  const down = new EngineClient("http://127.0.0.1:9", "t".repeat(32));
  const failing: AdminAuditSink = (event) => down.journalAdminEvent({ ...event, accountId: null });
  setAdminAuditSink(writing);
  return {
    events,
    of: (type: AdminEvent["type"]) => events.filter((e) => e.type === type),
    unreachable: () => setAdminAuditSink(failing),
    reachable: () => setAdminAuditSink(writing),
    close: () => setAdminAuditSink(null),
  };
}
