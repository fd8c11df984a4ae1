"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../lib/trpc";

const METRICS = [
  { id: "ackLatencyP99Ms", label: "p99 ack latency", unit: "ms" },
  { id: "rejectRatePct", label: "reject rate", unit: "%" },
  { id: "slippageBps", label: "avg slippage", unit: "bps" },
] as const;
type Metric = (typeof METRICS)[number]["id"];
const unitOf = (m: string) => METRICS.find((x) => x.id === m)?.unit ?? "";
const labelOf = (m: string) => METRICS.find((x) => x.id === m)?.label ?? m;

/**
 * Alert rules over the aggregates on a sliding window (the engine evaluates them every second and
 * raises/clears alerts in the alert centre). Everyone with risk:read sees them; risk:write may change them.
 */
export function AlertRulesPanel({ mayWrite, venues }: { mayWrite: boolean; venues: readonly string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.quality.alertRules.queryOptions(undefined, { refetchInterval: 10_000 }));
  const save = useMutation(trpc.quality.setAlertRule.mutationOptions());
  const remove = useMutation(trpc.quality.deleteAlertRule.mutationOptions());
  const [form, setForm] = useState({
    id: "",
    metric: "ackLatencyP99Ms" as Metric,
    venue: "",
    threshold: "50",
    clearBelow: "",
    windowS: "60",
    minOrders: "10",
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.quality.alertRules.queryKey() });

  async function submit(e: FormEvent) {
    e.preventDefault();
    await save.mutateAsync({
      id: form.id.trim(),
      metric: form.metric,
      venue: form.venue === "" ? null : form.venue,
      threshold: Number(form.threshold),
      ...(form.clearBelow === "" ? {} : { clearBelow: Number(form.clearBelow) }),
      windowMs: Math.round(Number(form.windowS) * 1000),
      minOrders: Number(form.minOrders),
    });
    await refresh();
  }

  const list = rules.data?.rules ?? [];
  return (
    <>
      {rules.error ? (
        <p className="error" role="alert">
          {rules.error.message}
        </p>
      ) : rules.isPending ? (
        <p className="empty">Loading…</p>
      ) : list.length === 0 ? (
        <p className="empty">No alert rules.</p>
      ) : (
        <table aria-label="Alert rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>When</th>
              <th>Venue</th>
              <th className="num">Raise above</th>
              <th className="num">Clear at or below</th>
              <th className="num">Window</th>
              <th className="num">Min orders</th>
              <th>Set by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id}>
                <td className="mono">{r.id}</td>
                <td>{labelOf(r.metric)}</td>
                <td>{r.venue ?? "each venue"}</td>
                <td className="num">
                  {r.threshold} {unitOf(r.metric)}
                </td>
                <td className="num">
                  {r.clearBelow} {unitOf(r.metric)}
                </td>
                <td className="num">{r.windowMs / 1000} s</td>
                <td className="num">{r.minOrders}</td>
                <td className="muted">
                  {r.updatedBy} {r.updatedAt.slice(0, 19).replace("T", " ")}
                </td>
                <td>
                  {mayWrite && (
                    <button type="button" className="small" onClick={() => remove.mutateAsync({ id: r.id }).then(refresh)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayWrite && (
        <form className="rule-form" onSubmit={submit} aria-label="Add or change an alert rule">
          <label>
            Rule id
            <input value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} placeholder="slow-acks" required />
          </label>
          <label>
            Metric
            <select value={form.metric} onChange={(e) => setForm({ ...form, metric: e.target.value as Metric })}>
              {METRICS.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label} ({m.unit})
                </option>
              ))}
            </select>
          </label>
          <label>
            Venue
            <select value={form.venue} onChange={(e) => setForm({ ...form, venue: e.target.value })}>
              <option value="">each venue</option>
              {venues.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </label>
          <label>
            Raise above
            <input
              type="number"
              step="any"
              min="0"
              value={form.threshold}
              onChange={(e) => setForm({ ...form, threshold: e.target.value })}
              required
            />
          </label>
          <label>
            Clear at or below
            <input
              type="number"
              step="any"
              min="0"
              value={form.clearBelow}
              placeholder="80 %"
              onChange={(e) => setForm({ ...form, clearBelow: e.target.value })}
            />
          </label>
          <label>
            Window (s)
            <input type="number" min="1" value={form.windowS} onChange={(e) => setForm({ ...form, windowS: e.target.value })} required />
          </label>
          <label>
            Min orders
            <input
              type="number"
              min="1"
              value={form.minOrders}
              onChange={(e) => setForm({ ...form, minOrders: e.target.value })}
              required
            />
          </label>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save rule
          </button>
          {(save.error || remove.error) && (
            <p className="error" role="alert">
              {(save.error ?? remove.error)?.message}
            </p>
          )}
        </form>
      )}
    </>
  );
}
