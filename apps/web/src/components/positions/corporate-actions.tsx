"use client";
import { can, type Role } from "@fillmore/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { formatTime } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";

type Kind = "split" | "reverseSplit" | "cashDividend" | "symbolChange";

const KINDS: { value: Kind; label: string }[] = [
  { value: "split", label: "Split" },
  { value: "reverseSplit", label: "Reverse split" },
  { value: "cashDividend", label: "Cash dividend" },
  { value: "symbolChange", label: "Symbol change" },
];

const today = () => new Date().toISOString().slice(0, 10);

function terms(a: {
  kind: Kind;
  ratioNew?: string;
  ratioOld?: string;
  cashInLieuPx?: string;
  perShare?: string;
  newSymbol?: string;
}): string {
  if (a.kind === "split" || a.kind === "reverseSplit")
    return `${a.ratioNew}-for-${a.ratioOld}${a.cashInLieuPx && a.cashInLieuPx !== "0" ? `, cash in lieu ${a.cashInLieuPx}` : ""}`;
  if (a.kind === "cashDividend") return `${a.perShare} per share`;
  return `→ ${a.newSymbol}`;
}

/** Corporate actions on the Positions page: the list for risk:read; the form and reversal for risk:write (risk, admin). */
export function CorporateActions({ role }: { role: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mayWrite = can(role, "risk:write");
  const list = useQuery(trpc.corporateActions.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.corporateActions.list.queryKey() });
  const schedule = useMutation(trpc.corporateActions.schedule.mutationOptions({ onSuccess: refresh }));
  const reverse = useMutation(trpc.corporateActions.reverse.mutationOptions({ onSuccess: refresh }));
  const [kind, setKind] = useState<Kind>("split");
  const [form, setForm] = useState({
    symbol: "",
    effectiveDate: today(),
    ratioNew: "",
    ratioOld: "",
    cashInLieuPx: "",
    perShare: "",
    newSymbol: "",
    reason: "",
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const isSplit = kind === "split" || kind === "reverseSplit";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const opt = (v: string) => (v.trim() === "" ? undefined : v.trim());
    schedule.mutate({
      kind,
      symbol: form.symbol.trim().toUpperCase(),
      effectiveDate: form.effectiveDate,
      reason: form.reason,
      ...(isSplit ? { ratioNew: opt(form.ratioNew), ratioOld: opt(form.ratioOld), cashInLieuPx: opt(form.cashInLieuPx) } : {}),
      ...(kind === "cashDividend" ? { perShare: opt(form.perShare) } : {}),
      ...(kind === "symbolChange" ? { newSymbol: opt(form.newSymbol.toUpperCase()) } : {}),
    });
  };

  const onReverse = (id: string) => {
    const reason = window.prompt(`Reverse ${id}: why?`);
    if (reason?.trim()) reverse.mutate({ id, reason: reason.trim() });
  };

  const actions = list.data?.actions ?? [];
  return (
    <section className="card" aria-label="Corporate actions">
      <h2>Corporate actions</h2>
      {list.error && <p className="error">{list.error.message}</p>}
      {actions.length === 0 ? (
        <p className="muted">No corporate actions.</p>
      ) : (
        <table className="corporate-actions" data-testid="corporate-actions">
          <thead>
            <tr>
              <th>Id</th>
              <th>Kind</th>
              <th>Symbol</th>
              <th>Terms</th>
              <th>Effective</th>
              <th>Status</th>
              <th>Positions</th>
              <th>Orders cancelled</th>
              <th>Reason</th>
              {mayWrite && <th />}
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id}>
                <td className="mono">{a.id}</td>
                <td>{KINDS.find((k) => k.value === a.kind)?.label ?? a.kind}</td>
                <td>{a.symbol}</td>
                <td>{terms(a)}</td>
                <td className="mono">{a.effectiveDate}</td>
                <td title={a.reversedAt ? `by ${a.reversedBy} at ${formatTime(a.reversedAt)}: ${a.reverseReason}` : undefined}>
                  {a.status}
                  {a.appliedAt ? <span className="muted"> {formatTime(a.appliedAt)}</span> : null}
                </td>
                <td>
                  {(a.results?.positions ?? []).map((p) => (
                    <div key={`${p.accountId}|${p.strategy ?? ""}`} className="mono">
                      {p.accountId}
                      {p.strategy ? `/${p.strategy}` : ""}: {p.qtyBefore} → {p.qtyAfter}
                      {p.cashInLieu !== "0" ? ` (cash ${p.cashInLieu})` : ""}
                      {p.dividend !== "0" ? ` (dividend ${p.dividend})` : ""}
                    </div>
                  ))}
                </td>
                <td>
                  {(a.results?.orders ?? []).map((o) => (
                    <div key={o.orderId} className="mono" title="the replacement a trader may enter">
                      {o.orderId}
                      {o.suggestedQty ? ` → ${o.suggestedQty}${o.suggestedPrice ? ` @ ${o.suggestedPrice}` : ""}` : ""}
                    </div>
                  ))}
                </td>
                <td>{a.reason}</td>
                {mayWrite && (
                  <td>
                    {(a.status === "applied" || a.status === "scheduled") && (
                      <button type="button" onClick={() => onReverse(a.id)} disabled={reverse.isPending}>
                        {a.status === "applied" ? "Reverse" : "Drop"}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reverse.error && <p className="error">{reverse.error.message}</p>}
      {mayWrite && (
        <form className="corporate-action-form" onSubmit={submit} aria-label="Schedule a corporate action">
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Symbol
            <input value={form.symbol} onChange={set("symbol")} required size={8} />
          </label>
          <label>
            {kind === "cashDividend" ? "Pay date" : "Effective date"}
            <input type="date" value={form.effectiveDate} onChange={set("effectiveDate")} min={today()} required />
          </label>
          {isSplit && (
            <>
              <label>
                New
                <input value={form.ratioNew} onChange={set("ratioNew")} inputMode="numeric" size={4} required />
              </label>
              <label>
                for old
                <input value={form.ratioOld} onChange={set("ratioOld")} inputMode="numeric" size={4} required />
              </label>
              <label>
                Cash in lieu price
                <input value={form.cashInLieuPx} onChange={set("cashInLieuPx")} inputMode="decimal" size={8} />
              </label>
            </>
          )}
          {kind === "cashDividend" && (
            <label>
              Per share
              <input value={form.perShare} onChange={set("perShare")} inputMode="decimal" size={8} required />
            </label>
          )}
          {kind === "symbolChange" && (
            <label>
              New symbol
              <input value={form.newSymbol} onChange={set("newSymbol")} size={8} required />
            </label>
          )}
          <label>
            Reason
            <input value={form.reason} onChange={set("reason")} required size={24} />
          </label>
          <button type="submit" disabled={schedule.isPending}>
            Schedule
          </button>
          {schedule.error && <p className="error">{schedule.error.message}</p>}
          {schedule.data && (
            <p className="muted">
              Scheduled {schedule.data.action.id} ({schedule.data.action.status}).
            </p>
          )}
        </form>
      )}
    </section>
  );
}
