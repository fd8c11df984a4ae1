"use client";
import { type AdminVenueView, type ConnectionTestView, changeReason, VENUE_KINDS, type VenueKind, venueRowSchema } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { issuesText, messageOf } from "./admin-shell";
import { ReadOnlyNotice, SaveWithReason } from "./form-parts";

/** A starting config per kind: the FIX one is QuickFIX's ordermatch example as docs/ADAPTERS.md names it. */
const EXAMPLES: Record<VenueKind, Record<string, unknown>> = {
  sim: { latencyMs: 5, partialFillRate: 0.3, feeBps: 2, depth: 500 },
  fix: {
    host: "127.0.0.1",
    port: 5001,
    beginString: "FIX.4.2",
    senderCompId: "CLIENT1",
    targetCompId: "ORDERMATCH",
    heartBtInt: 30,
    ordTypes: ["Limit"],
    timeInForces: ["DAY"],
    modify: false,
    feeBps: 4,
  },
  osengine: {
    url: "http://localhost:6500",
    apiKeyEnv: "OSENGINE_MCP_KEY",
    connector: "TInvest#0",
    portfolio: "2000123456",
    strategy: "FillmoreBlank",
    feeBps: 5,
  },
};

const STATE_CLASS: Record<AdminVenueView["state"], string> = {
  running: "status-accepted",
  draining: "status-pending",
  disabled: "status-cancelled",
  invalid: "status-rejected",
};

interface Draft {
  id: string;
  name: string;
  kind: VenueKind;
  config: string;
  enabled: boolean;
}

const blank = (kind: VenueKind = "fix"): Draft => ({
  id: "",
  name: "",
  kind,
  config: JSON.stringify(EXAMPLES[kind], null, 2),
  enabled: true,
});

/** Venues: state (running, draining, disabled, invalid and why), add or change one, enable/disable it, test a connection. */
export function VenuesAdmin({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.venues.list.queryOptions(undefined, { refetchInterval: 2000 }));
  const upsert = useMutation(trpc.admin.venues.upsert.mutationOptions());
  const setEnabled = useMutation(trpc.admin.venues.setEnabled.mutationOptions());
  const test = useMutation(trpc.admin.venues.test.mutationOptions());
  const [draft, setDraft] = useState<Draft>(blank());
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<ConnectionTestView | null>(null);
  const [toggle, setToggle] = useState<{ id: string; enabled: boolean; reason: string } | null>(null);

  /** The row as entered, checked with the schema the engine uses; null (and the error shown) when it fails. */
  function row() {
    let config: unknown;
    try {
      config = JSON.parse(draft.config);
    } catch (e) {
      setError(`config: not valid JSON (${messageOf(e)})`);
      return null;
    }
    const checked = venueRowSchema.safeParse({ ...draft, id: draft.id.trim(), name: draft.name.trim(), config });
    if (!checked.success) {
      setError(issuesText(checked.error.issues));
      return null;
    }
    return checked.data;
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const venue = row();
    if (!venue) return;
    const why = changeReason.safeParse(reason);
    if (!why.success) return setError(`reason: ${why.error.issues[0]?.message ?? "required"}`);
    try {
      const result = await upsert.mutateAsync({ venue, reason: why.data });
      setError(null);
      setSaved(`${result.venue.id} saved: ${result.venue.state}`);
      setReason("");
      await list.refetch();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function onTest() {
    setTestResult(null);
    const venue = row();
    if (!venue) return;
    try {
      setError(null);
      setTestResult(await test.mutateAsync({ venue }));
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function onToggle(event: FormEvent) {
    event.preventDefault();
    if (!toggle) return;
    try {
      await setEnabled.mutateAsync(toggle);
      setToggle(null);
      setError(null);
      await list.refetch();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const venues = list.data?.venues ?? [];
  return (
    <main className="layout with-ticket">
      {canWrite ? (
        <form className="card ticket" onSubmit={onSave} aria-label="Venue">
          <h2>{venues.some((v) => v.id === draft.id) ? `Change ${draft.id}` : "Add a venue"}</h2>
          <label>
            Id
            <input
              name="id"
              value={draft.id}
              onChange={(e) => setDraft({ ...draft, id: e.target.value })}
              placeholder="e.g. QF-OM"
              required
            />
          </label>
          <label>
            Name
            <input name="name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required />
          </label>
          <label>
            Kind
            <select
              name="kind"
              value={draft.kind}
              onChange={(e) => {
                const kind = e.target.value as VenueKind;
                setDraft({ ...draft, kind, config: JSON.stringify(EXAMPLES[kind], null, 2) });
                setTestResult(null);
              }}
            >
              {VENUE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label>
            Config (JSON)
            <textarea
              name="config"
              rows={12}
              className="mono"
              value={draft.config}
              onChange={(e) => setDraft({ ...draft, config: e.target.value })}
              spellCheck={false}
            />
          </label>
          <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
            <input
              type="checkbox"
              name="enabled"
              checked={draft.enabled}
              onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
            />{" "}
            Enabled
          </label>
          <SaveWithReason reason={reason} onReason={setReason} error={error} saved={saved} pending={upsert.isPending}>
            {draft.kind !== "sim" && (
              <button type="button" onClick={onTest} disabled={test.isPending}>
                {test.isPending ? "Testing…" : "Test connection"}
              </button>
            )}
            <button
              type="button"
              onClick={() => {
                setDraft(blank(draft.kind));
                setTestResult(null);
                setError(null);
              }}
            >
              New
            </button>
          </SaveWithReason>
          {testResult && (
            <section aria-label="Connection test" data-ok={testResult.ok}>
              <h3 className={testResult.ok ? "ok" : "error"}>{testResult.ok ? "Connection test passed" : "Connection test failed"}</h3>
              <ol style={{ paddingLeft: 18, margin: 0 }}>
                {testResult.steps.map((s) => (
                  <li key={s.step} data-step={s.step} data-ok={s.ok}>
                    <span className={s.ok ? "ok" : "error"}>{s.ok ? "✓" : "✗"}</span> <strong>{s.step}</strong>{" "}
                    <span className="muted">({s.ms} ms)</span> — {s.detail}
                  </li>
                ))}
              </ol>
            </section>
          )}
        </form>
      ) : (
        <ReadOnlyNotice label="Venue" title="Venues" what="changing venues" />
      )}
      <section className="card blotter" aria-label="Venues">
        <div className="toolbar">
          <h2>Venues</h2>
          <span className="muted">{venues.length} rows</span>
        </div>
        {toggle && (
          <form onSubmit={onToggle} aria-label="Enable or disable" style={{ display: "flex", gap: 8, alignItems: "center", padding: 8 }}>
            <span>
              {toggle.enabled ? "Enable" : "Disable"} <strong>{toggle.id}</strong>:
            </span>
            <input
              name="toggle-reason"
              aria-label="Reason"
              value={toggle.reason}
              onChange={(e) => setToggle({ ...toggle, reason: e.target.value })}
              placeholder="why, at least 10 characters"
              style={{ flex: 1 }}
            />
            <button type="submit" className="primary small" disabled={setEnabled.isPending}>
              Confirm
            </button>
            <button type="button" className="small" onClick={() => setToggle(null)}>
              Cancel
            </button>
          </form>
        )}
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Kind</th>
                <th>State</th>
                <th>Connected</th>
                <th>Working</th>
                <th>Takes</th>
                <th>Fee bps</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {venues.map((v) => (
                <tr key={v.id} data-venue-id={v.id} data-state={v.state}>
                  <td className="strong mono">{v.id}</td>
                  <td>{v.name}</td>
                  <td>{v.kind}</td>
                  <td>
                    <span className={`status ${STATE_CLASS[v.state]}`}>{v.state}</span>
                    {v.reason && (
                      <div className="muted" style={{ maxWidth: 360, whiteSpace: "normal" }}>
                        {v.reason}
                      </div>
                    )}
                  </td>
                  <td>{v.connected ? <span className="ok">yes</span> : <span className="muted">no</span>}</td>
                  <td className="num">{v.workingOrders}</td>
                  <td className="muted">
                    {v.capabilities
                      ? `${v.capabilities.ordTypes.join("/")} · ${v.capabilities.timeInForces.join("/")}${v.capabilities.modify ? " · modify" : ""}`
                      : "—"}
                  </td>
                  <td className="num">{typeof v.config.feeBps === "number" ? v.config.feeBps : <span className="muted">unknown</span>}</td>
                  <td style={{ whiteSpace: "nowrap" }}>
                    {canWrite && (
                      <>
                        <button
                          type="button"
                          className="small"
                          onClick={() => {
                            setDraft({
                              id: v.id,
                              name: v.name,
                              kind: v.kind,
                              config: JSON.stringify(v.config, null, 2),
                              enabled: v.enabled,
                            });
                            setTestResult(null);
                            setError(null);
                          }}
                        >
                          Edit
                        </button>{" "}
                        {v.state !== "invalid" && (
                          <button type="button" className="small" onClick={() => setToggle({ id: v.id, enabled: !v.enabled, reason: "" })}>
                            {v.enabled ? "Disable" : "Enable"}
                          </button>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </main>
  );
}
