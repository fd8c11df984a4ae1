"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { errorText } from "../../lib/use-session";

// The Controls page's "Dead-man's switches" section: per strategy or API key, its timeout, the scope
// it halts, when it last heard a heartbeat, its state, the last time it fired; configuration for risk.

interface DeadmanSwitch {
  id: string;
  config: { enabled: boolean; timeoutMs: number; scope?: string };
  scope: string;
  actions: string[];
  setBy: string | null;
  status: "waiting" | "alive" | "fired" | "disabled";
  lastHeartbeat: string | null;
  silentMs: number | null;
  lastFired: { ts: string; silentMs: number; ordersCancelled: number; failures: string[] } | null;
}

const when = (ts: string) => `${ts.replace("T", " ").slice(0, 19)}Z`;

export function DeadmanSection({ disabled, mayEdit }: { disabled: boolean; mayEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.controls.deadman.list.queryOptions(undefined, { refetchInterval: 2000 }));
  const set = useMutation(trpc.controls.deadman.set.mutationOptions());
  const [id, setId] = useState("");
  const [timeoutS, setTimeoutS] = useState("30");
  const [scope, setScope] = useState("");
  const [msg, setMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const switches = (list.data?.switches ?? []) as unknown as DeadmanSwitch[];
  const off = disabled || !mayEdit || set.isPending;

  async function save(switchId: string, config: { enabled: boolean; timeoutMs: number; scope?: string }) {
    setMsg(null);
    try {
      await set.mutateAsync({ id: switchId, config });
      setMsg({ kind: "ok", text: `dead-man's switch ${switchId} saved` });
      await queryClient.invalidateQueries({ queryKey: trpc.controls.deadman.list.queryKey() });
    } catch (error) {
      setMsg({ kind: "error", text: errorText(error) });
    }
  }

  return (
    <section className="card" aria-label="Dead-man's switches">
      <h2>Dead-man's switches</h2>
      <p>
        A strategy or API key sends heartbeats (<code>controls.deadman.heartbeat</code>); when they stop for the timeout, its open orders
        are cancelled and its scope halted. A switch is armed by its first heartbeat.
      </p>
      {msg && (
        <p className={msg.kind === "ok" ? "ok" : "error"} data-testid="deadman-message">
          {msg.text}
        </p>
      )}
      {list.error && <p className="error">{list.error.message}</p>}
      <table data-testid="deadman-table">
        <thead>
          <tr>
            <th>Switch</th>
            <th>Timeout</th>
            <th>Halts</th>
            <th>State</th>
            <th>Last heartbeat</th>
            <th>Last fired</th>
            {mayEdit && <th>Enabled</th>}
          </tr>
        </thead>
        <tbody>
          {switches.length === 0 && (
            <tr>
              <td colSpan={mayEdit ? 7 : 6}>No dead-man's switches configured.</td>
            </tr>
          )}
          {switches.map((s) => (
            <tr key={s.id} data-testid={`deadman-${s.id}`} className={s.status === "fired" ? "row-halted" : undefined}>
              <td>{s.id}</td>
              <td>{s.config.timeoutMs / 1000} s</td>
              <td>
                {s.scope} ({s.actions.join(", ")})
              </td>
              <td>
                <span className={`state state-${s.status === "fired" ? "halted" : s.status === "alive" ? "active" : "reducing"}`}>
                  {s.status}
                </span>
              </td>
              <td>{s.lastHeartbeat ? `${when(s.lastHeartbeat)} (${Math.round((s.silentMs ?? 0) / 100) / 10} s ago)` : "never"}</td>
              <td>
                {s.lastFired
                  ? `${when(s.lastFired.ts)}: silent ${s.lastFired.silentMs} ms, ${s.lastFired.ordersCancelled} orders cancelled${s.lastFired.failures.length ? `, ${s.lastFired.failures.length} failures` : ""}`
                  : "never"}
              </td>
              {mayEdit && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Enable ${s.id}`}
                    checked={s.config.enabled}
                    disabled={off}
                    onChange={(e) => save(s.id, { ...s.config, enabled: e.target.checked })}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {mayEdit && (
        <form
          className="kill-row"
          onSubmit={(e) => {
            e.preventDefault();
            save(id.trim(), {
              enabled: true,
              timeoutMs: Math.round(Number(timeoutS) * 1000),
              ...(scope.trim() ? { scope: scope.trim() } : {}),
            });
          }}
        >
          <label>
            Strategy or key
            <input aria-label="Dead-man id" placeholder="strategy:S1 or key:ak-…" value={id} onChange={(e) => setId(e.target.value)} />
          </label>
          <label>
            Timeout (s)
            <input
              aria-label="Dead-man timeout"
              type="number"
              min="0.1"
              step="0.1"
              value={timeoutS}
              onChange={(e) => setTimeoutS(e.target.value)}
            />
          </label>
          <label>
            Scope to halt (required for a key)
            <input
              aria-label="Dead-man scope"
              placeholder="strategy:S1 / account:ACC-ALPHA"
              value={scope}
              onChange={(e) => setScope(e.target.value)}
            />
          </label>
          <button type="submit" disabled={off || id.trim() === "" || !(Number(timeoutS) > 0)}>
            Set switch
          </button>
        </form>
      )}
    </section>
  );
}
