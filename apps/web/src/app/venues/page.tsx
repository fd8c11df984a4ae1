"use client";
import { can } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { AppHeader } from "../../components/app-header";
import { Notices } from "../../components/notices";
import { useTRPC } from "../../lib/trpc";
import { errorText, useSession } from "../../lib/use-session";

const STATE_CLASS = { UP: "state-active", DEGRADED: "state-reducing", DOWN: "state-halted" } as const;

const ms = (value: number | null) => (value === null ? "—" : value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(1)} ms`);

/** Venue health, live: state with hysteresis, connection, acknowledgement latency, reject rate, fees. */
export default function VenuesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const venues = useQuery(trpc.venues.list.queryOptions(undefined, { refetchInterval: 1000, enabled: me.isSuccess }));
  const outage = useMutation(trpc.venues.setOutage.mutationOptions());
  const [notice, setNotice] = useState<string | null>(null);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const manage = can(me.data.role, "venues:manage");

  async function toggle(venueId: string, down: boolean) {
    try {
      await outage.mutateAsync({ venueId, down });
      setNotice(`${venueId} ${down ? "taken down (simulated outage)" : "restored"}`);
      await queryClient.invalidateQueries({ queryKey: trpc.venues.list.queryKey() });
    } catch (error) {
      setNotice(errorText(error));
    }
  }

  return (
    <>
      <AppHeader name={me.data.name} role={me.data.role} />
      <Notices>
        {notice && (
          <div className="banner" role="status">
            {notice}
          </div>
        )}
      </Notices>
      <main className="layout">
        <section className="card" aria-label="Venues">
          <div className="toolbar">
            <h2>Venues</h2>
            <span className="muted">updates every second · new orders avoid DOWN venues at once</span>
          </div>
          {venues.error && (
            <p role="alert" className="error">
              {venues.error.message}
            </p>
          )}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Venue</th>
                  <th>Kind</th>
                  <th>State</th>
                  <th>Connected</th>
                  <th className="num">Ack EWMA</th>
                  <th className="num">Ack p99</th>
                  <th className="num">Reject rate</th>
                  <th className="num">Orders</th>
                  <th className="num">Rejects</th>
                  <th className="num">Send errors</th>
                  <th className="num">Heard from</th>
                  <th className="num">Rate limit</th>
                  <th className="num">Fee (bps)</th>
                  <th>Order types</th>
                  <th>Since</th>
                  {manage && <th />}
                </tr>
              </thead>
              <tbody>
                {(venues.data?.venues ?? []).map((v) => (
                  <tr key={v.venueId} data-venue-id={v.venueId} data-state={v.state}>
                    <td className="strong">{v.venueId}</td>
                    <td>{v.kind}</td>
                    <td>
                      <span className={`status ${STATE_CLASS[v.state]}`}>{v.state}</span>
                    </td>
                    <td>{v.connected ? "yes" : "no"}</td>
                    <td className="num">{v.submissions === 0 ? "—" : ms(v.ackEwmaMs)}</td>
                    <td className="num">{ms(v.ackP99Ms)}</td>
                    <td className="num">{(v.rejectRate * 100).toFixed(1)}%</td>
                    <td className="num">{v.submissions}</td>
                    <td className="num">{v.rejects}</td>
                    <td className="num" title={`${(v.errorRate * 100).toFixed(1)}% of recent sends`}>
                      {v.sendErrors}
                    </td>
                    <td className="num" data-column="heartbeat">
                      {v.heartbeatAgeMs === null ? "—" : `${(v.heartbeatAgeMs / 1000).toFixed(1)} s ago`}
                    </td>
                    <td className="num" data-column="rate-limit">
                      {v.rateLimit ? `${v.rateLimit.usedPct}% of ${v.rateLimit.burst} (${v.rateLimit.perSecond}/s)` : "—"}
                    </td>
                    <td className="num">{v.feeBps}</td>
                    <td className="muted">{v.capabilities?.ordTypes.join(", ") ?? "—"}</td>
                    <td className="mono">{v.lastChangeAt ? v.lastChangeAt.slice(11, 19) : "start"}</td>
                    {manage && (
                      <td>
                        {v.kind === "sim" && (
                          <button
                            type="button"
                            className="small"
                            onClick={() => toggle(v.venueId, v.connected)}
                            disabled={outage.isPending}
                          >
                            {v.connected ? "Simulate outage" : "Restore"}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </main>
    </>
  );
}
