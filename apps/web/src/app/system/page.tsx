"use client";
import { can } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import { AppHeader } from "../../components/app-header";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import { duration, engineSteady, processRows, type Tone } from "./rows";

const TONE_CLASS: Record<Tone, string> = { good: "state-active", warn: "state-reducing", bad: "state-halted" };
const VENUE_TONE: Record<string, Tone> = { UP: "good", DEGRADED: "warn", DOWN: "bad" };

function State({ label, tone }: { label: string; tone: Tone }) {
  return <span className={`state ${TONE_CLASS[tone]}`}>{label}</span>;
}

/** Every process's health, refreshed every 2 s: what /healthz answers monitors, for an admin. */
export default function SystemPage() {
  const trpc = useTRPC();
  const me = useSession();
  const allowed = me.data ? can(me.data.role, "system:read") : false;
  // Every 2 s; every 500 ms while the engine is not serving (restarting, unreachable), so the launcher's
  // restart count and the engine's return show as soon as they change.
  const health = useQuery(
    trpc.system.health.queryOptions(undefined, {
      refetchInterval: (q) => (q.state.data && !engineSteady(q.state.data) ? 500 : 2000),
      enabled: allowed,
    }),
  );

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const h = health.data;

  return (
    <>
      <AppHeader name={me.data.name} role={me.data.role} />
      <main className="layout">
        {!allowed && (
          <p role="alert" className="error card">
            The System page is for admins (compliance reads it): role {me.data.role} lacks permission system:read.
          </p>
        )}
        {allowed && (
          <section className="card" aria-label="Processes">
            <div className="toolbar">
              <h2>System</h2>
              {h && <State label={h.status === "ok" ? "HEALTHY" : "DEGRADED"} tone={h.status === "ok" ? "good" : "bad"} />}
              <span className="spacer" />
              <span className="muted">
                updates every 2 s (0.5 s while the engine is down){h ? ` · checked ${h.checkedAt.slice(11, 19)} UTC` : ""} · the same as
                JSON at{" "}
                <a href="/healthz" className="mono link">
                  /healthz
                </a>
              </span>
            </div>
            {health.error && (
              <p role="alert" className="error">
                {health.error.message}
              </p>
            )}
            {h && (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Process</th>
                      <th>State</th>
                      <th className="num">PID</th>
                      <th className="num">Uptime</th>
                      <th>Version</th>
                      <th>Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {processRows(h).map((row) => (
                      <tr key={row.name} data-process={row.name.toLowerCase()} data-state={row.state}>
                        <td className="strong">{row.name}</td>
                        <td>
                          <State label={row.state} tone={row.tone} />
                        </td>
                        <td className="num mono">{row.pid ?? "—"}</td>
                        <td className="num">{duration(row.uptimeS)}</td>
                        <td className="mono">{row.version ?? "—"}</td>
                        <td className="muted">{row.detail}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        )}
        {allowed && h && (
          <section className="card" aria-label="Journal">
            <h2>Journal</h2>
            <dl className="fields">
              <div>
                <dt>Lag (appended, not committed)</dt>
                <dd data-field="journal-lag">{h.journal ? `${h.journal.lag} events` : "—"}</dd>
              </div>
              <div>
                <dt>Committed / last seq</dt>
                <dd className="mono">{h.journal ? `${h.journal.committedSeq} / ${h.journal.lastSeq}` : "—"}</dd>
              </div>
              <div>
                <dt>Commit queue</dt>
                <dd>{h.journal ? h.journal.queued : "—"}</dd>
              </div>
              <div>
                <dt>State</dt>
                <dd>{h.journal ? (h.journal.tradingBlocked ?? (h.journal.healthy ? "committing" : "not committing")) : "—"}</dd>
              </div>
              <div>
                <dt>Last signed checkpoint</dt>
                <dd data-field="last-checkpoint">
                  {h.lastCheckpoint ? `seq ${h.lastCheckpoint.seq}, ${duration(h.lastCheckpoint.ageS)} ago` : "none yet"}
                </dd>
              </div>
            </dl>
          </section>
        )}
        {allowed && h && (
          <section className="card" aria-label="Venues">
            <h2>Venues</h2>
            {h.venues.length === 0 ? (
              <p className="muted">{h.engine.reachable ? "no venues" : "unknown while the engine does not answer"}</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Venue</th>
                    <th>State</th>
                    <th>Connected</th>
                  </tr>
                </thead>
                <tbody>
                  {h.venues.map((v) => (
                    <tr key={v.venueId} data-venue-id={v.venueId}>
                      <td className="strong">{v.venueId}</td>
                      <td>
                        <State label={v.state} tone={VENUE_TONE[v.state] ?? "bad"} />
                      </td>
                      <td>{v.connected ? "yes" : "no"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
      </main>
    </>
  );
}
