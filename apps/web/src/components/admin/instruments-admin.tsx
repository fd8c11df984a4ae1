"use client";
import { type AdminInstrumentView, changeReason, instrumentSchema } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { issuesText, messageOf } from "./admin-shell";
import { ReadOnlyNotice, SaveWithReason } from "./form-parts";

const EMPTY = { symbol: "", name: "", currency: "USD", tickSize: "0.01", lotSize: "1", refPrice: "", tradable: true, open: "", close: "" };

/** Instruments: symbol, currency, tick, lot, reference price (the collar's price until quotes move), trading hours. */
export function InstrumentsAdmin({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.instruments.list.queryOptions());
  const upsert = useMutation(trpc.admin.instruments.upsert.mutationOptions());
  const [draft, setDraft] = useState(EMPTY);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const edit = (i: AdminInstrumentView) => setDraft({ ...i, open: i.tradingHours?.open ?? "", close: i.tradingHours?.close ?? "" });

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const { open, close, ...rest } = draft;
    const checked = instrumentSchema.safeParse({
      ...rest,
      symbol: rest.symbol.trim(),
      tradingHours: open || close ? { open, close } : null,
    });
    if (!checked.success) return setError(issuesText(checked.error.issues));
    const why = changeReason.safeParse(reason);
    if (!why.success) return setError(`reason: ${why.error.issues[0]?.message ?? "required"}`);
    try {
      const result = await upsert.mutateAsync({ instrument: checked.data, reason: why.data });
      setError(null);
      setSaved(`${result.instrument.symbol} saved: tradable at once`);
      setReason("");
      await list.refetch();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const field = (key: keyof typeof EMPTY, label: string, placeholder?: string) => (
    <label style={{ flex: 1, minWidth: 0 }}>
      {label}
      <input
        name={key}
        value={String(draft[key])}
        placeholder={placeholder}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        style={{ width: "100%", boxSizing: "border-box" }}
      />
    </label>
  );
  const instruments = list.data?.instruments ?? [];
  return (
    <main className="layout with-ticket">
      {canWrite ? (
        <form className="card ticket" onSubmit={onSave} aria-label="Instrument">
          <h2>{instruments.some((i) => i.symbol === draft.symbol) ? `Change ${draft.symbol}` : "Add an instrument"}</h2>
          {field("symbol", "Symbol", "e.g. ACME")}
          {field("name", "Name")}
          {field("currency", "Currency")}
          {field("tickSize", "Tick size")}
          {field("lotSize", "Lot size")}
          {field("refPrice", "Reference price", "the price collar's reference")}
          <label style={{ flexDirection: "row", alignItems: "center", gap: 6 }}>
            <input
              type="checkbox"
              name="tradable"
              checked={draft.tradable}
              onChange={(e) => setDraft({ ...draft, tradable: e.target.checked })}
            />{" "}
            Tradable
          </label>
          <div style={{ display: "flex", gap: 8 }}>
            {field("open", "Opens (UTC)", "HH:MM")}
            {field("close", "Closes (UTC)", "HH:MM")}
          </div>
          <SaveWithReason reason={reason} onReason={setReason} error={error} saved={saved} pending={upsert.isPending}>
            <button
              type="button"
              onClick={() => {
                setDraft(EMPTY);
                setError(null);
              }}
            >
              New
            </button>
          </SaveWithReason>
        </form>
      ) : (
        <ReadOnlyNotice label="Instrument" title="Instruments" what="changing instruments" />
      )}
      <section className="card blotter" aria-label="Instruments">
        <div className="toolbar">
          <h2>Instruments</h2>
          <span className="muted">{instruments.length} rows</span>
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Symbol</th>
                <th>Name</th>
                <th>Ccy</th>
                <th>Tick</th>
                <th>Lot</th>
                <th>Ref price</th>
                <th>Hours (UTC)</th>
                <th>Tradable</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {instruments.map((i) => (
                <tr key={i.symbol} data-symbol={i.symbol}>
                  <td className="strong mono">{i.symbol}</td>
                  <td>{i.name}</td>
                  <td>{i.currency}</td>
                  <td className="num">{i.tickSize}</td>
                  <td className="num">{i.lotSize}</td>
                  <td className="num">{i.refPrice}</td>
                  <td>{i.tradingHours ? `${i.tradingHours.open}–${i.tradingHours.close}` : <span className="muted">always</span>}</td>
                  <td>{i.tradable ? <span className="ok">yes</span> : <span className="error">no</span>}</td>
                  <td>
                    {canWrite && (
                      <button type="button" className="small" onClick={() => edit(i)}>
                        Edit
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
  );
}
