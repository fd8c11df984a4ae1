"use client";
import { can } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { AlertActionDialog } from "../../components/alerts/alert-dialog";
import { AppHeader } from "../../components/app-header";
import { formatTime } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import "./alerts.css";

const STATES = ["unresolved", "open", "acknowledged", "resolved", "all"] as const;
const SEVERITIES = ["any", "critical", "warning", "info"] as const;
type StateFilter = (typeof STATES)[number];
type SeverityFilter = (typeof SEVERITIES)[number];

/** "2026-11-29T18:48:08.123456Z" → "11-29 18:48:08". */
function when(iso: string | null): string {
  return iso ? `${iso.slice(5, 10)} ${formatTime(iso).slice(0, 8)}` : "—";
}

/** Alerts from the engine's alert centre: severity colours, filters, acknowledge with a note, resolve; links to orders. */
export default function AlertsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "risk:read") : false;
  const [state, setState] = useState<StateFilter>("unresolved");
  const [severity, setSeverity] = useState<SeverityFilter>("any");
  const [acting, setActing] = useState<{ alertId: string; action: "acknowledge" | "resolve" } | null>(null);
  const list = useQuery(
    trpc.alerts.list.queryOptions(
      { state, ...(severity === "any" ? {} : { severity }), limit: 500 },
      { enabled: mayRead, refetchInterval: 3000 },
    ),
  );
  const acknowledge = useMutation(trpc.alerts.acknowledge.mutationOptions());
  const resolve = useMutation(trpc.alerts.resolve.mutationOptions());

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const mayAct = can(role, "risk:write");
  const header = <AppHeader name={me.data.name} role={role} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: alerts need risk:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.alerts.count.queryKey() }),
    ]);
  const alerts = list.data?.alerts ?? [];
  const counts = list.data?.counts;
  const target = acting ? alerts.find((a) => a.alertId === acting.alertId) : undefined;

  return (
    <>
      {header}
      <main className="layout alerts">
        <section className="card">
          <div className="filters">
            <h2 style={{ margin: 0 }}>Alerts</h2>
            {counts && (
              <span className="summary" data-testid="alert-summary">
                <span>
                  <b>{counts.open}</b> unacknowledged ({counts.openCritical} critical, {counts.openWarning} warning, {counts.openInfo} info)
                </span>
                <span>
                  <b>{counts.acknowledged}</b> acknowledged
                </span>
                <span>
                  <b>{counts.resolved}</b> resolved
                </span>
              </span>
            )}
            <span className="spacer" style={{ flex: 1 }} />
            <fieldset className="segmented" aria-label="State">
              {STATES.map((s) => (
                <button
                  key={s}
                  type="button"
                  className={state === s ? "active" : ""}
                  aria-pressed={state === s}
                  onClick={() => setState(s)}
                >
                  {s}
                </button>
              ))}
            </fieldset>
            <fieldset className="segmented" aria-label="Severity">
              {SEVERITIES.map((s) => (
                <button
                  key={s}
                  type="button"
                  className={severity === s ? "active" : ""}
                  aria-pressed={severity === s}
                  onClick={() => setSeverity(s)}
                >
                  {s}
                </button>
              ))}
            </fieldset>
          </div>
          {list.error && <p className="error">Alerts unavailable: {list.error.message}</p>}
          {!mayAct && <p className="notice">Read only: acknowledging and resolving need risk:write (you are {role}).</p>}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>State</th>
                  <th>Code</th>
                  <th>Message</th>
                  <th>Subject</th>
                  <th>Count</th>
                  <th>First / last</th>
                  <th>Who</th>
                  <th>Webhook</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {alerts.length === 0 && (
                  <tr>
                    <td colSpan={10} className="empty">
                      {list.isLoading ? "Loading…" : "No alerts match."}
                    </td>
                  </tr>
                )}
                {alerts.map((a) => (
                  <tr key={a.alertId} className={`${a.state} ${a.severity}`} data-testid={`alert-${a.alertId}`}>
                    <td>
                      <span className={`sev sev-${a.severity}`}>{a.severity}</span>
                    </td>
                    <td>
                      <span className={`st st-${a.state}`}>{a.state}</span>
                      {a.resolution === "cleared" && <div className="sub">cleared itself</div>}
                    </td>
                    <td>
                      <strong>{a.code}</strong>
                      <div className="sub">{a.alertId}</div>
                    </td>
                    <td className="message">{a.message}</td>
                    <td>
                      {a.orderId ? (
                        <Link className="order-link" href={`/orders/${encodeURIComponent(a.orderId)}`}>
                          {a.orderId}
                        </Link>
                      ) : (
                        a.subject || "—"
                      )}
                      {a.accountId && <div className="sub">{a.accountId}</div>}
                    </td>
                    <td className="count-badge">{a.count > 1 ? `×${a.count}` : "1"}</td>
                    <td>
                      {when(a.firstAt)}
                      {a.lastAt !== a.firstAt && <div className="sub">last {when(a.lastAt)}</div>}
                    </td>
                    <td className="who">
                      {a.acknowledgedBy && (
                        <div>
                          ack {a.acknowledgedBy.replace(/^user:/, "")} {when(a.acknowledgedAt)}
                          {a.ackNote ? `: “${a.ackNote}”` : ""}
                        </div>
                      )}
                      {a.resolvedBy && (
                        <div>
                          resolved {a.resolvedBy.replace(/^user:/, "")} {when(a.resolvedAt)}
                          {a.resolveNote ? `: “${a.resolveNote}”` : ""}
                        </div>
                      )}
                      {!a.acknowledgedBy && !a.resolvedBy && "—"}
                    </td>
                    <td className="sub" title={a.delivery.lastError ?? undefined}>
                      {a.delivery.state === "none"
                        ? "—"
                        : `${a.delivery.state}${a.delivery.attempts > 1 ? ` (${a.delivery.attempts} tries)` : ""}`}
                    </td>
                    <td className="actions">
                      {mayAct && a.state === "open" && (
                        <button type="button" className="small" onClick={() => setActing({ alertId: a.alertId, action: "acknowledge" })}>
                          Acknowledge
                        </button>
                      )}
                      {mayAct && a.state !== "resolved" && (
                        <button type="button" className="small" onClick={() => setActing({ alertId: a.alertId, action: "resolve" })}>
                          Resolve
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </main>
      {acting && target && (
        <AlertActionDialog
          action={acting.action}
          alert={target}
          onClose={() => setActing(null)}
          onSubmit={async (note) => {
            if (acting.action === "acknowledge") await acknowledge.mutateAsync({ alertId: target.alertId, note });
            else await resolve.mutateAsync({ alertId: target.alertId, note });
            await refresh();
          }}
        />
      )}
    </>
  );
}
