"use client";
import { can, type RiskLimits, riskLimitsSchema, TRADING_STATES, type TradingState } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { AppHeader } from "../../components/app-header";
import { Notices } from "../../components/notices";
import { formatQty } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { useLiveOrders } from "../../lib/use-live-orders";
import { errorText, useSession } from "../../lib/use-session";

type LimitField = keyof RiskLimits;
const LIMIT_FIELDS = Object.keys(riskLimitsSchema.shape) as LimitField[];
const NUMERIC: ReadonlySet<LimitField> = new Set(["maxOpenOrders", "ordersPerSecond", "orderBurst"]);
const STATE_CLASS: Record<TradingState, string> = { ACTIVE: "state-active", REDUCING: "state-reducing", HALTED: "state-halted" };

function show(value: RiskLimits[LimitField] | undefined): string {
  if (value === undefined) return "—";
  if (Array.isArray(value)) return value.length > 0 ? value.join(", ") : "none";
  return typeof value === "number" ? value.toLocaleString("en-US") : formatQty(value);
}

/** What the form's text becomes for a field: numbers for counts and rates, a list for symbols, else a decimal string. */
function parseValue(field: LimitField, raw: string): unknown {
  const text = raw.trim();
  if (field === "restrictedSymbols")
    return text === ""
      ? []
      : text
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((s) => s.toUpperCase());
  if (NUMERIC.has(field) && text !== "" && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** Risk limits per scope, trading states with the kill switch, and positions. */
export default function RiskPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const live = useLiveOrders(me.isSuccess);
  const mayRead = me.data ? can(me.data.role, "risk:read") : false;
  const risk = useQuery(trpc.risk.limits.get.queryOptions(undefined, { enabled: mayRead, refetchInterval: 2000 }));
  const positions = useQuery(trpc.risk.positions.queryOptions(undefined, { enabled: mayRead, refetchInterval: 2000 }));
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { enabled: mayRead, staleTime: 60_000 }));
  const setLimits = useMutation(trpc.risk.limits.set.mutationOptions());
  const setState = useMutation(trpc.risk.tradingState.set.mutationOptions());
  const [limitMsg, setLimitMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [stateMsg, setStateMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [reason, setReason] = useState("");
  const [confirmHalt, setConfirmHalt] = useState(false);
  const [field, setField] = useState<LimitField>("maxOrderQty");

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const mayWrite = can(role, "risk:write");
  const mayHalt = can(role, "controls:halt");
  const header = <AppHeader name={me.data.name} role={role} live={live} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: the risk page needs risk:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const view = risk.data;
  const accounts = reference.data?.accounts ?? [];
  const symbols = reference.data?.instruments.map((i) => i.symbol) ?? [];
  const effectiveDefault: Partial<RiskLimits> = view ? { ...view.defaults, ...view.limits.default } : {};
  const stateOf = (scope: string): TradingState => view?.tradingStates[scope] ?? "ACTIVE";
  const globalState = stateOf("global");

  async function onSetLimit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scope = String(form.get("scope") ?? "default");
    const value = parseValue(field, String(form.get("value") ?? ""));
    try {
      // Sent as typed: the server's schema judges it and its errors are shown as they come.
      const next = await setLimits.mutateAsync({ scope, limits: { [field]: value } } as Parameters<typeof setLimits.mutateAsync>[0]);
      queryClient.setQueryData(trpc.risk.limits.get.queryKey(), next);
      setLimitMsg({ kind: "ok", text: `${field} for ${scope} set to ${show(value as RiskLimits[LimitField])}` });
    } catch (error) {
      setLimitMsg({ kind: "error", text: errorText(error) });
    }
  }

  async function onSetState(scope: string, state: TradingState) {
    if (reason.trim() === "") {
      setStateMsg({ kind: "error", text: "reason: give a reason for the change" });
      return;
    }
    try {
      const next = await setState.mutateAsync({ scope, state, reason: reason.trim() });
      queryClient.setQueryData(trpc.risk.limits.get.queryKey(), next);
      setStateMsg({ kind: "ok", text: `${scope} is now ${state}` });
      setConfirmHalt(false);
    } catch (error) {
      setStateMsg({ kind: "error", text: errorText(error) });
    }
  }

  const stateScopes = [
    { scope: "global", label: "Global" },
    ...accounts.map((a) => ({ scope: `account:${a.id}`, label: `${a.id}` })),
    ...symbols.map((s) => ({ scope: `symbol:${s}`, label: s })),
  ];

  return (
    <>
      {header}
      <Notices>
        {globalState !== "ACTIVE" && (
          <div className="banner error" role="status">
            Global trading is {globalState}
          </div>
        )}
        {risk.error && (
          <div className="banner error" role="alert">
            {risk.error.message}
          </div>
        )}
      </Notices>
      <main className="layout risk">
        <section className="card kill" aria-label="Global trading state">
          <div className="toolbar">
            <h2>Trading</h2>
            <span className={`state ${STATE_CLASS[globalState]}`} data-testid="global-state">
              {globalState}
            </span>
            <span className="spacer" />
            {!mayHalt && <span className="muted">read only</span>}
          </div>
          {mayHalt && (
            <div className="kill-row">
              <label className="grow">
                Reason (required)
                <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. venue outage" maxLength={500} />
              </label>
              {!confirmHalt ? (
                <button type="button" className="kill-switch" onClick={() => setConfirmHalt(true)} disabled={globalState === "HALTED"}>
                  HALT ALL TRADING
                </button>
              ) : (
                <fieldset className="confirm" aria-label="Confirm halt">
                  <span>Stop every new order on every account?</span>
                  <button
                    type="button"
                    className="kill-switch"
                    onClick={() => onSetState("global", "HALTED")}
                    disabled={setState.isPending}
                  >
                    Confirm halt
                  </button>
                  <button type="button" className="small" onClick={() => setConfirmHalt(false)}>
                    Keep trading
                  </button>
                </fieldset>
              )}
            </div>
          )}
          {stateMsg && (
            <p role={stateMsg.kind === "ok" ? "status" : "alert"} className={stateMsg.kind === "ok" ? "ok" : "error"}>
              {stateMsg.text}
            </p>
          )}
          <table aria-label="Trading states">
            <thead>
              <tr>
                <th>Scope</th>
                <th>State</th>
                {mayHalt && <th>Set</th>}
              </tr>
            </thead>
            <tbody>
              {stateScopes.map(({ scope, label }) => {
                const state = stateOf(scope);
                return (
                  <tr key={scope} data-scope={scope} data-state={state}>
                    <td className="strong">{label}</td>
                    <td>
                      <span className={`state ${STATE_CLASS[state]}`}>{state}</span>
                    </td>
                    {mayHalt && (
                      <td className="state-buttons">
                        {TRADING_STATES.map((s) => (
                          <button
                            type="button"
                            key={s}
                            className={`small ${s === state ? "current" : ""}`}
                            disabled={s === state || setState.isPending}
                            aria-label={`Set ${scope} ${s}`}
                            onClick={() => onSetState(scope, s)}
                          >
                            {s}
                          </button>
                        ))}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>

        <div className="risk-right">
          <section className="card" aria-label="Risk limits">
            <div className="toolbar">
              <h2>Limits</h2>
              <span className="muted">effective values; overrides highlighted, inherited ones dimmed</span>
            </div>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Limit</th>
                    <th className="num">Default</th>
                    {accounts.map((a) => (
                      <th key={a.id} className="num">
                        {a.id}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {LIMIT_FIELDS.map((f) => (
                    <tr key={f} data-limit={f}>
                      <td className="mono">{f}</td>
                      <td className={view?.limits.default?.[f] !== undefined ? "num override" : "num"} data-scope="default">
                        {show(effectiveDefault[f])}
                      </td>
                      {accounts.map((a) => {
                        const own = view?.limits[`account:${a.id}`]?.[f];
                        return (
                          <td key={a.id} className={own !== undefined ? "num override" : "num inherited"} data-scope={`account:${a.id}`}>
                            {show(own ?? effectiveDefault[f])}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {mayWrite && (
              <form className="limit-form" aria-label="Edit limit" onSubmit={onSetLimit} noValidate>
                <label>
                  Scope
                  <select name="scope" defaultValue="default">
                    <option value="default">default</option>
                    {accounts.map((a) => (
                      <option key={a.id} value={`account:${a.id}`}>
                        account:{a.id}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Field
                  <select name="field" value={field} onChange={(e) => setField(e.target.value as LimitField)}>
                    {LIMIT_FIELDS.map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="grow">
                  Value
                  <input name="value" placeholder={field === "restrictedSymbols" ? "AAPL, TSLA" : "e.g. 1000"} />
                </label>
                <button type="submit" className="primary" disabled={setLimits.isPending}>
                  Set limit
                </button>
              </form>
            )}
            {limitMsg && (
              <p role={limitMsg.kind === "ok" ? "status" : "alert"} className={limitMsg.kind === "ok" ? "ok" : "error"}>
                {limitMsg.text}
              </p>
            )}
          </section>

          <section className="card" aria-label="Positions">
            <div className="toolbar">
              <h2>Positions</h2>
              <span className="muted">{positions.data?.positions.length ?? 0} account/symbol pairs</span>
            </div>
            <div className="table-wrap short">
              <table>
                <thead>
                  <tr>
                    <th>Account</th>
                    <th>Symbol</th>
                    <th className="num">Qty</th>
                    <th className="num">Bought</th>
                    <th className="num">Sold</th>
                  </tr>
                </thead>
                <tbody>
                  {(positions.data?.positions ?? [])
                    .slice()
                    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.symbol.localeCompare(b.symbol))
                    .map((p) => {
                      const n = Number(p.qty);
                      return (
                        <tr key={`${p.accountId}|${p.symbol}`} data-account={p.accountId} data-symbol={p.symbol}>
                          <td>{p.accountId}</td>
                          <td className="strong">{p.symbol}</td>
                          <td className={`num ${n > 0 ? "buy" : n < 0 ? "sell" : ""}`}>
                            {n > 0 ? "+" : ""}
                            {formatQty(p.qty)}
                          </td>
                          <td className="num">{formatQty(p.boughtQty)}</td>
                          <td className="num">{formatQty(p.soldQty)}</td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
              {positions.data && positions.data.positions.length === 0 && <p className="empty">No positions yet.</p>}
            </div>
          </section>
        </div>
      </main>
    </>
  );
}
