"use client";
import { can } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { AppHeader } from "../../components/app-header";
import { type Break, CAUSE_LABEL, signClassOf, signed } from "../../components/reconciliation/labels";
import { ResolveDialog, SettleDialog, type SettleOutcome } from "../../components/reconciliation/resolve-dialog";
import { StatementForm, type StatementImportInput } from "../../components/reconciliation/statement-form";
import { formatQty, formatTime } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { errorText, useSession } from "../../lib/use-session";
import "./reconciliation.css";
import { Notices } from "../../components/notices";

const SOURCE_STATE_CLASS = { ok: "state-active", failed: "state-halted", unsupported: "state-muted" } as const;

/** "2026-11-29T18:48:08.123456Z" → "11-29 18:48:08". */
function when(iso: string | null): string {
  return iso ? `${iso.slice(5, 10)} ${formatTime(iso).slice(0, 8)}` : "—";
}

/** Reconciliation with the brokers: breaks live, their resolution, runs on demand, statements, unknown-fate orders. */
export default function ReconciliationPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "risk:read") : false;
  const view = useQuery(trpc.reconciliation.breaks.queryOptions(undefined, { enabled: mayRead, refetchInterval: 2000 }));
  const run = useMutation(trpc.reconciliation.run.mutationOptions());
  const resolve = useMutation(trpc.reconciliation.resolve.mutationOptions());
  const importStatement = useMutation(trpc.reconciliation.importStatement.mutationOptions());
  const settle = useMutation(trpc.reconciliation.settleOrder.mutationOptions());
  const [showAll, setShowAll] = useState(false);
  const [resolving, setResolving] = useState<string | null>(null);
  const [settling, setSettling] = useState<{ orderId: string; outcome: SettleOutcome } | null>(null);
  const [runMsg, setRunMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

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
            <p className="error">Not permitted: reconciliation needs risk:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.reconciliation.breaks.queryKey() });
  const all = view.data?.breaks ?? [];
  const open = all.filter((b) => b.status === "open");
  const shown = showAll ? all : open;
  const lastRun = view.data?.lastRun ?? null;
  const unknownFate = view.data?.unknownFate ?? [];
  const brk = resolving ? all.find((b) => b.breakId === resolving) : undefined;
  const settlingOrder = settling ? unknownFate.find((u) => u.order.orderId === settling.orderId)?.order : undefined;

  async function onRun() {
    try {
      const r = await run.mutateAsync();
      setRunMsg({ kind: "ok", text: `Run at ${when(r.startedAt)}: ${r.found.length} new, ${r.cleared.length} cleared` });
      await refresh();
    } catch (error) {
      setRunMsg({ kind: "error", text: errorText(error) });
    }
  }

  async function onImport(input: StatementImportInput): Promise<string> {
    const r = await importStatement.mutateAsync(input);
    await refresh();
    const rows = `${r.rows.positions} position row${r.rows.positions === 1 ? "" : "s"}`;
    return `${r.source}: ${rows} compared; ${r.result.found.length} new breaks, ${r.result.cleared.length} cleared`;
  }

  return (
    <>
      {header}
      <Notices>
        {view.error && (
          <div className="banner error" role="alert">
            {view.error.message}
          </div>
        )}
        {open.some((b) => b.restricts) && (
          <div className="banner" role="status">
            Trading is REDUCING on {[...new Set(open.flatMap((b) => (b.restricts ? [b.restricts] : [])))].join(", ")} until their breaks are
            resolved
          </div>
        )}
      </Notices>
      <main className="layout recon">
        <div className="recon-main">
          <section className="card" aria-label="Breaks">
            <div className="toolbar">
              <h2>Breaks</h2>
              <span className={open.length > 0 ? "count warn" : "count"} data-testid="open-count">
                {open.length} open
              </span>
              <fieldset className="segmented filter" aria-label="Which breaks">
                <button type="button" className={showAll ? "" : "active"} aria-pressed={!showAll} onClick={() => setShowAll(false)}>
                  Open
                </button>
                <button type="button" className={showAll ? "active" : ""} aria-pressed={showAll} onClick={() => setShowAll(true)}>
                  All ({all.length})
                </button>
              </fieldset>
              <span className="spacer" />
              <span className="muted">last run {when(lastRun?.startedAt ?? null)}</span>
              {mayAct ? (
                <button type="button" className="primary" onClick={onRun} disabled={run.isPending}>
                  {run.isPending ? "Running…" : "Run now"}
                </button>
              ) : (
                <span className="muted">read only</span>
              )}
            </div>
            {runMsg && (
              <p role={runMsg.kind === "ok" ? "status" : "alert"} className={`notice ${runMsg.kind === "ok" ? "ok" : "error"}`}>
                {runMsg.text}
              </p>
            )}
            <div className="table-wrap breaks-wrap">
              <table aria-label="Reconciliation breaks">
                <thead>
                  <tr>
                    <th>Break</th>
                    <th>Account</th>
                    <th>Symbol</th>
                    <th>Source</th>
                    <th className="num">Ours</th>
                    <th className="num">Broker</th>
                    <th className="num">Difference</th>
                    <th>Suggested cause</th>
                    <th>Found</th>
                    <th>Status</th>
                    {mayAct && <th aria-label="Actions" />}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((b) => (
                    <BreakRow key={b.breakId} b={b} mayAct={mayAct} onResolve={() => setResolving(b.breakId)} />
                  ))}
                </tbody>
              </table>
              {view.data && shown.length === 0 && (
                <p className="empty">{showAll ? "No breaks yet." : "No open breaks: our books agree with every source."}</p>
              )}
            </div>
          </section>

          <section className="card" aria-label="Orders with unknown fate">
            <div className="toolbar">
              <h2>Orders with unknown fate</h2>
              <span className="muted">the venue lost them or never answered; settle each from here</span>
            </div>
            <div className="table-wrap">
              <table aria-label="Unknown-fate orders">
                <thead>
                  <tr>
                    <th>Order</th>
                    <th>Account</th>
                    <th>Symbol</th>
                    <th>Side</th>
                    <th className="num">Qty</th>
                    <th className="num">Filled</th>
                    <th>Status</th>
                    <th>Venue</th>
                    <th>Why</th>
                    {mayAct && <th aria-label="Actions" />}
                  </tr>
                </thead>
                <tbody>
                  {unknownFate.map(({ order, code, message }) => (
                    <tr key={order.orderId} data-order={order.orderId}>
                      <td className="mono">
                        <Link className="order-link" href={`/orders/${encodeURIComponent(order.orderId)}`}>
                          {order.clOrdId}
                        </Link>
                      </td>
                      <td>{order.accountId}</td>
                      <td className="strong">{order.symbol}</td>
                      <td className={order.side === "Buy" ? "buy" : "sell"}>{order.side}</td>
                      <td className="num">{formatQty(order.orderQty)}</td>
                      <td className="num">{formatQty(order.cumQty)}</td>
                      <td>
                        <span className={`status status-${order.ordStatus.toLowerCase()}`}>{order.ordStatus}</span>
                      </td>
                      <td>{order.venueId ?? "—"}</td>
                      <td className="explain" title={message}>
                        <span className="cause">{code === "VENUE_LOST_ORDER" ? "Venue lost the order" : "Outcome unknown"}</span>
                        <span className="muted"> {message}</span>
                      </td>
                      {mayAct && (
                        <td className="actions">
                          <button
                            type="button"
                            className="small"
                            onClick={() => setSettling({ orderId: order.orderId, outcome: "venue" })}
                            aria-label={`Adopt the venue's answer for ${order.clOrdId}`}
                          >
                            Adopt venue's answer
                          </button>
                          <button
                            type="button"
                            className="small danger"
                            onClick={() => setSettling({ orderId: order.orderId, outcome: "cancelled" })}
                            aria-label={`Settle ${order.clOrdId} as cancelled`}
                          >
                            Cancelled…
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
              {view.data && unknownFate.length === 0 && <p className="empty">Every live order's fate is known.</p>}
            </div>
          </section>
        </div>

        <div className="recon-side">
          <section className="card" aria-label="Sources">
            <div className="toolbar">
              <h2>Sources</h2>
              <span className="muted">the broker's truth, per source</span>
            </div>
            <table className="sources" aria-label="Reconciliation sources">
              <thead>
                <tr>
                  <th>Source</th>
                  <th>State</th>
                  <th className="num">Positions</th>
                </tr>
              </thead>
              <tbody>
                {(view.data?.sources ?? []).map((s) => (
                  <tr key={s.source} data-source={s.source}>
                    <td className="source" title={s.detail ?? undefined}>
                      <SourceName source={s.source} strong />
                      {s.detail && <div className="muted detail">{s.detail}</div>}
                    </td>
                    <td>
                      <span className={`state ${SOURCE_STATE_CLASS[s.state]}`}>{s.state.toUpperCase()}</span>
                    </td>
                    <td className="num">{s.positions}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {view.data && view.data.sources.length === 0 && <p className="empty">No run yet.</p>}
          </section>

          {mayAct && (
            <section className="card" aria-label="Broker statement">
              <div className="toolbar">
                <h2>Broker statement</h2>
                <span className="muted">end-of-day positions</span>
              </div>
              <StatementForm onImport={onImport} />
            </section>
          )}
        </div>
      </main>

      {brk && (
        <ResolveDialog
          brk={brk}
          onClose={() => setResolving(null)}
          onResolve={async (action, note) => {
            await resolve.mutateAsync({ breakId: brk.breakId, action, note });
            await refresh();
          }}
        />
      )}
      {settling && settlingOrder && (
        <SettleDialog
          order={settlingOrder}
          initial={settling.outcome}
          onClose={() => setSettling(null)}
          onSettle={async (outcome, reason) => {
            await settle.mutateAsync({ orderId: settlingOrder.orderId, outcome, reason });
            await refresh();
          }}
        />
      )}
    </>
  );
}

/** "statement:eod" as its name over its kind. */
function SourceName({ source, strong }: { source: string; strong?: boolean }) {
  const at = source.indexOf(":");
  return (
    <>
      <span className={strong ? "strong" : undefined}>{at < 0 ? source : source.slice(at + 1)}</span>{" "}
      <span className="kind">{at < 0 ? "" : source.slice(0, at)}</span>
    </>
  );
}

function BreakRow({ b, mayAct, onResolve }: { b: Break; mayAct: boolean; onResolve: () => void }) {
  const quantities = b.kind !== "order";
  const resolution = b.status === "open" ? undefined : `${b.status} by ${b.resolvedBy ?? "?"} at ${when(b.resolvedAt)}: ${b.note ?? ""}`;
  return (
    <tr
      data-break={b.breakId}
      data-status={b.status}
      data-source={b.source}
      data-account={b.accountId ?? ""}
      data-symbol={b.symbol ?? ""}
      className={b.status}
    >
      <td className="mono">{b.breakId}</td>
      <td>{b.accountId ?? <span className="muted">every account</span>}</td>
      <td className="strong">{b.symbol ?? "—"}</td>
      <td className="source">
        <SourceName source={b.source} />
      </td>
      <td className="num">{quantities ? signed(b.ours) : b.ours}</td>
      <td className="num">{quantities ? signed(b.theirs) : b.theirs}</td>
      <td className={`num strong ${signClassOf(b.difference)}`}>{signed(b.difference)}</td>
      <td className="explain" title={b.explanation}>
        <span className={`cause cause-${b.cause.toLowerCase()}`}>{CAUSE_LABEL[b.cause]}</span>
        {b.kind === "fee" && <span className="muted"> (fee)</span>}
        <div className="muted why">{b.explanation}</div>
      </td>
      <td className="muted" title={b.foundAt}>
        {formatTime(b.foundAt).slice(0, 8)}
      </td>
      <td title={resolution}>
        <span className={`brk-status brk-${b.status}`}>{b.status}</span>
        {resolution && <div className="muted why">{b.note}</div>}
      </td>
      {mayAct && (
        <td className="actions">
          {b.status === "open" && (
            <button type="button" className="small" onClick={onResolve} aria-label={`Resolve ${b.breakId}`}>
              Resolve…
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
