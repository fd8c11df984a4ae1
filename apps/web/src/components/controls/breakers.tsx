"use client";
import { KILL_SWITCH_ACTIONS, type KillSwitchAction } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { errorText } from "../../lib/use-session";

// The Controls page's "Circuit breakers" section: each breaker's condition, thresholds, live value and
// state (armed / breached k of N / tripped), the last trip with the values that fired it; an enable
// toggle and an editor for risk (controls:halt). The engine validates configs (controls/breakers/config.ts).

const CONDITIONS = [
  "dailyLoss",
  "portfolioDrawdown",
  "positionSize",
  "orderRejectionRate",
  "volatilitySpike",
  "staleQuote",
  "crossedMarket",
  "priceGap",
] as const;
const UNITS: Record<string, string> = {
  portfolioDrawdown: "% below peak",
  dailyLoss: "USD",
  volatilitySpike: "× baseline",
  orderRejectionRate: "% rejected",
  positionSize: "units",
  staleQuote: "ms",
  crossedMarket: "bid − ask",
  priceGap: "% move",
};

interface Reading {
  breached: boolean;
  value: number | null;
  threshold: number;
  detail: string;
}
interface Config {
  condition: string;
  scope: string;
  enabled: boolean;
  threshold: number;
  confirmations: number;
  hysteresis: number;
  actions: KillSwitchAction[];
  allowReducing?: boolean;
  capitalUsd?: number;
  shortWindow?: number;
  longWindow?: number;
  window?: number;
  minOrders?: number;
  note?: string;
}
interface Trip {
  ts: string;
  condition: string;
  symbol: string | null;
  value: number | null;
  threshold: number;
  detail: string;
  readings: number;
  scope: string;
  actions: string[];
  result: string;
}
interface Breaker {
  name: string;
  config: Config;
  setBy: string | null;
  setAt: string | null;
  states: { key: string; status: "armed" | "breached" | "tripped"; consecutive: number; reading: Reading | null }[];
  status: "armed" | "breached" | "tripped" | "disabled";
  faults: number;
  lastFault: string | null;
  lastTrip: Trip | null;
}

const when = (ts: string) => `${ts.replace("T", " ").slice(0, 19)}Z`;
const num = (v: number | null | undefined) => (v === null || v === undefined ? "–" : String(v));

function stateText(b: Breaker): string {
  if (b.status === "disabled") return "disabled";
  const worst = b.states[0];
  if (!worst || b.status === "armed") return "armed";
  if (b.status === "breached") return `breached ${worst.consecutive} of ${b.config.confirmations}`;
  return `tripped${worst.key ? ` (${worst.key})` : ""}`;
}

const BLANK: Config = {
  condition: "dailyLoss",
  scope: "global",
  enabled: false,
  threshold: 10_000,
  confirmations: 1,
  hysteresis: 0.1,
  actions: ["haltNewOrders", "cancelOpenOrders", "notifyRiskTeam"],
};

function Editor({
  name: initialName,
  initial,
  onSave,
  onCancel,
  pending,
}: {
  name: string | null;
  initial: Config;
  onSave: (name: string, config: Config) => void;
  onCancel: () => void;
  pending: boolean;
}) {
  const [name, setName] = useState(initialName ?? "");
  const [c, setC] = useState<Config>(initial);
  const field = (key: keyof Config, label: string, optional = false) => (
    <label>
      {label}
      <input
        type="number"
        aria-label={label}
        value={c[key] === undefined ? "" : String(c[key])}
        onChange={(e) => setC({ ...c, [key]: e.target.value === "" && optional ? undefined : Number(e.target.value) } as Config)}
      />
    </label>
  );
  return (
    <form
      className="card"
      data-testid="breaker-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(name.trim(), c);
      }}
    >
      <div className="kill-row">
        <label>
          Name
          <input aria-label="Breaker name" value={name} disabled={initialName !== null} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Condition
          <select aria-label="Condition" value={c.condition} onChange={(e) => setC({ ...c, condition: e.target.value })}>
            {CONDITIONS.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          Scope
          <input aria-label="Breaker scope" value={c.scope} onChange={(e) => setC({ ...c, scope: e.target.value.trim() })} />
        </label>
        {field("threshold", `Threshold (${UNITS[c.condition] ?? ""})`)}
        {field("confirmations", "N readings")}
        {field("hysteresis", "Hysteresis (0–0.99)")}
        {c.condition === "portfolioDrawdown" && field("capitalUsd", "Capital USD", true)}
        {c.condition === "volatilitySpike" && field("shortWindow", "Short window", true)}
        {c.condition === "volatilitySpike" && field("longWindow", "Baseline window", true)}
        {c.condition === "orderRejectionRate" && field("window", "Window (orders)", true)}
        {c.condition === "orderRejectionRate" && field("minOrders", "Min orders", true)}
        <label>
          <input type="checkbox" checked={c.enabled} onChange={(e) => setC({ ...c, enabled: e.target.checked })} /> enabled
        </label>
      </div>
      <div className="kill-row">
        {KILL_SWITCH_ACTIONS.map((a) => (
          <label key={a}>
            <input
              type="checkbox"
              checked={c.actions.includes(a)}
              onChange={(e) => setC({ ...c, actions: e.target.checked ? [...c.actions, a] : c.actions.filter((x) => x !== a) })}
            />{" "}
            {a}
          </label>
        ))}
      </div>
      <div className="kill-row">
        <button type="submit" disabled={pending || name === "" || c.actions.length === 0}>
          Save breaker
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Strips what the engine fills in itself, so a saved config round-trips through the editor. */
function configOf(c: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

export function BreakersSection({ disabled, mayEdit }: { disabled: boolean; mayEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.controls.breakers.list.queryOptions(undefined, { refetchInterval: 2000 }));
  const set = useMutation(trpc.controls.breakers.set.mutationOptions());
  const [editing, setEditing] = useState<{ name: string | null; config: Config } | null>(null);
  const [msg, setMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const breakers = (list.data?.breakers ?? []) as unknown as Breaker[];
  const off = disabled || !mayEdit || set.isPending;

  async function save(name: string, config: Config) {
    setMsg(null);
    try {
      await set.mutateAsync({ name, config: configOf(config) });
      setMsg({ kind: "ok", text: `breaker ${name} saved${config.enabled ? " and armed" : " (disabled)"}` });
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: trpc.controls.breakers.list.queryKey() });
    } catch (error) {
      setMsg({ kind: "error", text: errorText(error) });
    }
  }

  return (
    <section className="card" aria-label="Circuit breakers">
      <div className="toolbar">
        <h2>Circuit breakers</h2>
        {mayEdit && (
          <button type="button" disabled={off} onClick={() => setEditing({ name: null, config: BLANK })}>
            New breaker
          </button>
        )}
      </div>
      {msg && (
        <p className={msg.kind === "ok" ? "ok" : "error"} data-testid="breakers-message">
          {msg.text}
        </p>
      )}
      {list.error && <p className="error">{list.error.message}</p>}
      {editing && (
        <Editor name={editing.name} initial={editing.config} pending={set.isPending} onSave={save} onCancel={() => setEditing(null)} />
      )}
      <table data-testid="breakers-table">
        <thead>
          <tr>
            <th>Breaker</th>
            <th>Condition</th>
            <th>Scope</th>
            <th>Threshold</th>
            <th>N / hysteresis</th>
            <th>Live value</th>
            <th>State</th>
            <th>Actions on trip</th>
            <th>Last trip</th>
            {mayEdit && <th>Enabled</th>}
            {mayEdit && <th />}
          </tr>
        </thead>
        <tbody>
          {breakers.length === 0 && (
            <tr>
              <td colSpan={mayEdit ? 11 : 9}>No circuit breakers configured.</td>
            </tr>
          )}
          {breakers.map((b) => {
            const worst = b.states[0];
            const t = b.lastTrip;
            return (
              <tr key={b.name} data-testid={`breaker-${b.name}`} className={b.status === "tripped" ? "row-halted" : undefined}>
                <td>{b.name}</td>
                <td>{b.config.condition}</td>
                <td>{b.config.scope}</td>
                <td>
                  {b.config.threshold} {UNITS[b.config.condition]}
                </td>
                <td>
                  {b.config.confirmations} / {b.config.hysteresis}
                </td>
                <td title={worst?.reading?.detail}>
                  {worst?.reading ? `${num(worst.reading.value)}${worst.key ? ` (${worst.key})` : ""}` : "–"}
                  {b.faults > 0 && (
                    <span className="error" title={b.lastFault ?? ""}>
                      {" "}
                      {b.faults} fault(s)
                    </span>
                  )}
                </td>
                <td>
                  <span className={`state state-${b.status === "tripped" ? "halted" : b.status === "breached" ? "reducing" : "active"}`}>
                    {stateText(b)}
                  </span>
                </td>
                <td>{b.config.actions.join(", ")}</td>
                <td data-testid={`breaker-${b.name}-trip`}>
                  {t
                    ? `${when(t.ts)}: ${t.condition} value ${num(t.value)} ${t.condition === "crossedMarket" ? "≥" : ">"} threshold ${t.threshold} after ${t.readings} reading(s) → ${t.scope} (${t.detail})${t.result === "tripped" ? "" : ` — ${t.result}`}`
                    : "never"}
                </td>
                {mayEdit && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Enable ${b.name}`}
                      checked={b.config.enabled}
                      disabled={off}
                      onChange={(e) => save(b.name, { ...b.config, enabled: e.target.checked })}
                    />
                  </td>
                )}
                {mayEdit && (
                  <td>
                    <button type="button" disabled={off} onClick={() => setEditing({ name: b.name, config: b.config })}>
                      Edit
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
