"use client";
import { can, KILL_SWITCH_ACTIONS, type KillSwitchAction, MIN_CONTROL_REASON } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { AppHeader } from "../../components/app-header";
import { BreakersSection } from "../../components/controls/breakers";
import { DeadmanSection } from "../../components/controls/deadman";
import { useTRPC } from "../../lib/trpc";
import { errorText, useSession } from "../../lib/use-session";
import "./controls.css";
import { Notices } from "../../components/notices";

const CONFIRM = "HALT ALL";
const DEFAULT_ACTIONS: KillSwitchAction[] = ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"];
const when = (ts: string) => `${ts.replace("T", " ").slice(0, 19)}Z`;

function Actions({
  value,
  onChange,
  disabled,
}: {
  value: KillSwitchAction[];
  onChange: (v: KillSwitchAction[]) => void;
  disabled: boolean;
}) {
  return (
    <fieldset className="controls-actions">
      <legend>Actions</legend>
      {KILL_SWITCH_ACTIONS.map((a) => (
        <label key={a} className="controls-check">
          <input
            type="checkbox"
            disabled={disabled}
            checked={value.includes(a)}
            onChange={(e) => onChange(e.target.checked ? [...value, a] : value.filter((x) => x !== a))}
          />
          <span>{a}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** The kill switch: state per scope, the global switch with impact preview and typed confirmation, scoped halts, history. */
export default function ControlsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const role = me.data?.role;
  const mayRead = role ? can(role, "risk:read") : false;
  const state = useQuery(trpc.controls.state.queryOptions(undefined, { enabled: mayRead, refetchInterval: 2000 }));
  const trip = useMutation(trpc.controls.trip.mutationOptions());
  const reset = useMutation(trpc.controls.reset.mutationOptions());
  const approve = useMutation(trpc.controls.approveReset.mutationOptions());
  const [globalReason, setGlobalReason] = useState("");
  const [globalActions, setGlobalActions] = useState<KillSwitchAction[]>(DEFAULT_ACTIONS);
  const [typed, setTyped] = useState("");
  const [previewScope, setPreviewScope] = useState<string | null>(null);
  const [scope, setScope] = useState("");
  const [scopeReason, setScopeReason] = useState("");
  const [scopeActions, setScopeActions] = useState<KillSwitchAction[]>(["haltNewOrders", "cancelOpenOrders"]);
  const [resetReason, setResetReason] = useState("");
  const [msg, setMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const preview = useQuery(trpc.controls.preview.queryOptions({ scope: previewScope ?? "global" }, { enabled: previewScope !== null }));

  if (!me.data || !role) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const header = <AppHeader name={me.data.name} role={role} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <p className="error">Not permitted: the controls page needs risk:read (you are {role}).</p>
        </main>
      </>
    );

  const mayHalt = can(role, "controls:halt");
  // Fail closed: without a fresh answer from the engine the controls are off rather than guessing.
  const confirmed = state.isSuccess && !state.isError && !state.isRefetchError;
  const disabled = !confirmed || trip.isPending || reset.isPending;
  const view = state.data;
  const globalEntry = view?.states.find((s) => s.scope === "global");
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.controls.state.queryKey() });

  async function run(label: string, action: () => Promise<unknown>) {
    setMsg(null);
    try {
      const result = (await action()) as
        | { outcome?: { ordersCancelled: number; positionsFlattened: unknown[]; flattenFailures: unknown[] } }
        | undefined;
      const o = result?.outcome;
      setMsg({
        kind: "ok",
        text: o
          ? `${label}: ${o.ordersCancelled} orders cancelled, ${o.positionsFlattened.length} positions flattened${o.flattenFailures.length ? `, ${o.flattenFailures.length} NOT flat` : ""}`
          : label,
      });
      await refresh();
    } catch (error) {
      setMsg({ kind: "error", text: errorText(error) });
    }
  }

  const previewData = preview.data;
  return (
    <>
      {header}
      {!confirmed && (
        <div className="banner error" role="alert" data-testid="controls-unconfirmed">
          The console cannot confirm the engine's trading state{state.error ? `: ${state.error.message}` : ""}. Controls are disabled; to
          halt now use <code>npm run halt -- --scope global --reason "…"</code> on the engine host (docs/OPERATIONS.md).
        </div>
      )}
      <Notices>
        {msg && (
          <div
            className={`banner ${msg.kind === "ok" ? "controls-ok" : "error"}`}
            role={msg.kind === "ok" ? "status" : "alert"}
            data-testid="controls-message"
          >
            {msg.text}
          </div>
        )}
      </Notices>
      <main className="layout controls">
        <section className="card controls-card" aria-label="Global kill switch">
          <div className="toolbar">
            <h2>Global kill switch</h2>
            <span className={`state ${globalEntry ? "state-halted" : "state-active"}`} data-testid="controls-global-state">
              {globalEntry ? globalEntry.state : "ACTIVE"}
            </span>
            <span className="spacer" />
            {!mayHalt && <span className="muted">read only</span>}
          </div>
          {globalEntry && (
            <p className="muted" data-testid="controls-global-halted">
              New orders are refused everywhere{globalEntry.allowReducing ? " (orders that reduce a position still pass)" : ""}; cancels
              always pass. Reset it under State per scope below, once the cause is fixed.
            </p>
          )}
          {mayHalt && !globalEntry && (
            <>
              <label className="grow">
                Reason (at least {MIN_CONTROL_REASON} characters)
                <input
                  value={globalReason}
                  onChange={(e) => setGlobalReason(e.target.value)}
                  disabled={disabled}
                  aria-label="Global halt reason"
                />
              </label>
              <Actions value={globalActions} onChange={setGlobalActions} disabled={disabled} />
              <div className="kill-row">
                <button type="button" disabled={disabled} onClick={() => setPreviewScope("global")}>
                  Preview impact
                </button>
              </div>
              {previewScope === "global" && previewData && (
                <div className="controls-preview" data-testid="controls-preview">
                  <p>
                    Would cancel <strong>{previewData.totals.openOrders}</strong> open orders (notional {previewData.totals.openNotional})
                    and could flatten <strong>{previewData.totals.positions}</strong> positions:
                  </p>
                  <table>
                    <thead>
                      <tr>
                        <th>Account</th>
                        <th>Open orders</th>
                        <th>Notional</th>
                        <th>Positions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {previewData.accounts.map((a) => (
                        <tr key={a.accountId}>
                          <td>{a.accountId}</td>
                          <td>{a.openOrders}</td>
                          <td>{a.openNotional}</td>
                          <td>{a.positions.map((p) => `${p.symbol} ${p.qty}`).join(", ") || "—"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <label className="controls-confirm">
                    <span>
                      Type <code>{CONFIRM}</code> to confirm
                    </span>
                    <input
                      value={typed}
                      onChange={(e) => setTyped(e.target.value)}
                      disabled={disabled}
                      aria-label="Type HALT ALL to confirm"
                    />
                  </label>
                  <button
                    type="button"
                    className="kill-switch"
                    disabled={
                      disabled || typed !== CONFIRM || globalReason.trim().length < MIN_CONTROL_REASON || globalActions.length === 0
                    }
                    onClick={() =>
                      run("Global halt in force", async () => {
                        const r = await trip.mutateAsync({ scope: "global", actions: globalActions, reason: globalReason.trim() });
                        setTyped("");
                        setPreviewScope(null);
                        return r;
                      })
                    }
                  >
                    HALT ALL TRADING
                  </button>
                </div>
              )}
            </>
          )}
        </section>

        <section className="card controls-card" aria-label="Trading state per scope">
          <h2>State per scope</h2>
          {view && view.states.length === 0 && <p data-testid="controls-all-active">Every scope is ACTIVE.</p>}
          {view && view.states.length > 0 && (
            <>
              {mayHalt && (
                <label className="grow">
                  Reset reason (at least {MIN_CONTROL_REASON} characters)
                  <input
                    value={resetReason}
                    onChange={(e) => setResetReason(e.target.value)}
                    disabled={disabled}
                    aria-label="Reset reason"
                  />
                </label>
              )}
              <table data-testid="controls-states">
                <thead>
                  <tr>
                    <th>Scope</th>
                    <th>State</th>
                    <th>Set by</th>
                    <th>At</th>
                    <th>Reason</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {view.states.map((s) => (
                    <tr key={s.scope}>
                      <td>{s.scope}</td>
                      <td>
                        {s.state}
                        {s.state === "HALTED" && (s.allowReducing ? " (reducing passes)" : " (strict)")}
                      </td>
                      <td>{s.setBy}</td>
                      <td>{when(s.setAt)}</td>
                      <td>{s.reason}</td>
                      <td>
                        {mayHalt && (
                          <button
                            type="button"
                            disabled={disabled || resetReason.trim().length < MIN_CONTROL_REASON}
                            onClick={() => run(`Reset ${s.scope}`, () => reset.mutateAsync({ scope: s.scope, reason: resetReason.trim() }))}
                          >
                            Reset {s.scope}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {view?.pendingResets.map((p) => (
            <p key={p.scope} data-testid="controls-pending">
              Reset of {p.scope} asked by {p.requestedBy} at {when(p.requestedAt)} ({p.reason}): waiting for a second risk user.{" "}
              {mayHalt && (
                <button
                  type="button"
                  disabled={disabled}
                  onClick={() => run(`Reset of ${p.scope} approved`, () => approve.mutateAsync({ scope: p.scope }))}
                >
                  Approve reset
                </button>
              )}
            </p>
          ))}
        </section>

        {/* Only those who may trip something see the form: risk and admin any scope, a trader their own strategies; compliance reads. */}
        {(mayHalt || role === "trader") && (
          <section className="card controls-card" aria-label="Scoped halt">
            <h2>Scoped halt</h2>
            <p className="muted">
              Scopes: account:ACC, strategy:NAME, symbol:SYM, venue:VENUE, or parts joined by / (account:ACC/symbol:AAPL).
              {role === "trader" && " As a trader you may halt your own strategies only (strategy:NAME)."}
            </p>
            <label className="grow">
              Scope
              <input
                value={scope}
                onChange={(e) => setScope(e.target.value.trim())}
                disabled={disabled}
                aria-label="Scope"
                placeholder="account:ACC-ALPHA"
              />
            </label>
            <label className="grow">
              Reason (at least {MIN_CONTROL_REASON} characters)
              <input
                value={scopeReason}
                onChange={(e) => setScopeReason(e.target.value)}
                disabled={disabled}
                aria-label="Scoped halt reason"
              />
            </label>
            <Actions value={scopeActions} onChange={setScopeActions} disabled={disabled} />
            <div className="kill-row">
              <button type="button" disabled={disabled || scope === ""} onClick={() => setPreviewScope(scope)}>
                Preview impact
              </button>
              <button
                type="button"
                className="danger"
                disabled={disabled || scope === "" || scope === "global" || scopeReason.trim().length < MIN_CONTROL_REASON}
                onClick={() => run(`${scope} halted`, () => trip.mutateAsync({ scope, actions: scopeActions, reason: scopeReason.trim() }))}
              >
                Halt {scope || "scope"}
              </button>
            </div>
            {previewScope !== null && previewScope !== "global" && previewData && (
              <p data-testid="controls-scope-preview">
                {previewData.scope}: {previewData.totals.openOrders} open orders (notional {previewData.totals.openNotional}),{" "}
                {previewData.totals.positions} positions
                {previewData.flattenUnsupported ? ` — ${previewData.flattenUnsupported}` : ""}
              </p>
            )}
            {preview.error && <p className="error">{preview.error.message}</p>}
          </section>
        )}

        <BreakersSection disabled={!confirmed} mayEdit={mayHalt} />
        <DeadmanSection disabled={!confirmed} mayEdit={mayHalt} />

        <section className="card controls-card" aria-label="History">
          <h2>History of trips and resets</h2>
          <table data-testid="controls-history">
            <thead>
              <tr>
                <th>When</th>
                <th>What</th>
                <th>Scope</th>
                <th>Who</th>
                <th>Reason / outcome</th>
              </tr>
            </thead>
            <tbody>
              {(view?.history ?? []).map((e) => {
                const d = e.data as Record<string, unknown>;
                const detail =
                  e.type === "KillSwitchOutcome"
                    ? `${d.ordersCancelled} orders cancelled, ${(d.positionsFlattened as unknown[]).length} positions flattened, ${(d.cancelFailures as unknown[]).length + (d.flattenFailures as unknown[]).length} failures`
                    : e.type === "KillSwitchTripped"
                      ? `${(d.actions as string[]).join(", ")}: ${e.reason}`
                      : e.type === "TradingStateChanged"
                        ? `${d.old} → ${d.new}: ${e.reason}`
                        : (e.reason ?? "");
                return (
                  <tr key={e.seq}>
                    <td>{when(e.ts)}</td>
                    <td>{e.type}</td>
                    <td>{e.scope}</td>
                    <td>{e.actor}</td>
                    <td>{detail}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      </main>
    </>
  );
}
