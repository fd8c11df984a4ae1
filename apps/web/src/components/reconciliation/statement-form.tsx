"use client";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { errorText } from "../../lib/use-session";

/** The engine's default columns (apps/engine/src/positions/reconciliation/statement.ts). */
export const DEFAULT_MAPPING = { account: "account", symbol: "symbol", qty: "quantity" } as const;
type Mapping = { account: string; symbol: string; qty: string; side: string };

export interface StatementImportInput {
  source: string;
  csv: string;
  mapping?: Partial<Mapping>;
}

/** A broker statement of positions: a CSV file read in the browser, a source name and the column mapping. */
export function StatementForm({ onImport }: { onImport: (input: StatementImportInput) => Promise<string> }) {
  const [source, setSource] = useState("broker-eod");
  const [csv, setCsv] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Mapping>({ ...DEFAULT_MAPPING, side: "" });
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    setCsv(await file.text());
    setMessage(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (csv.trim() === "") {
      setMessage({ kind: "error", text: "choose a CSV file (or paste its rows)" });
      return;
    }
    // Only the columns that differ from the defaults are sent; an empty side column means none.
    const changed = Object.fromEntries(
      (Object.keys(mapping) as (keyof Mapping)[])
        .filter((k) => mapping[k].trim() !== "" && mapping[k].trim() !== (DEFAULT_MAPPING as Record<string, string>)[k])
        .map((k) => [k, mapping[k].trim()]),
    );
    setPending(true);
    try {
      const text = await onImport({ source: source.trim(), csv, ...(Object.keys(changed).length > 0 ? { mapping: changed } : {}) });
      setMessage({ kind: "ok", text });
    } catch (error) {
      setMessage({ kind: "error", text: errorText(error) });
    } finally {
      setPending(false);
    }
  }

  const column = (key: keyof Mapping, label: string, placeholder?: string) => (
    <label>
      {label}
      <input
        value={mapping[key]}
        placeholder={placeholder}
        aria-label={`${label} column`}
        onChange={(e) => setMapping({ ...mapping, [key]: e.target.value })}
      />
    </label>
  );

  return (
    <form className="statement-form" aria-label="Import a broker statement" onSubmit={submit} noValidate>
      <div className="pair">
        <label>
          Source name
          <input value={source} onChange={(e) => setSource(e.target.value)} maxLength={64} placeholder="broker-eod" />
        </label>
        <label>
          Positions CSV
          <input type="file" accept=".csv,text/csv,text/plain" onChange={onFile} aria-label="Statement file" />
        </label>
      </div>
      <p className="hint-line">
        Breaks from it are <span className="mono">statement:{source || "…"}</span>; a new import under the same name replaces the old one.
      </p>
      <fieldset className="mapping">
        <legend>Column mapping (header names; defaults shown)</legend>
        {column("account", "Account")}
        {column("symbol", "Symbol")}
        {column("qty", "Quantity")}
        {column("side", "Side", "none")}
      </fieldset>
      <label>
        Rows {fileName && <span className="mono">({fileName})</span>}
        <textarea
          className="mono"
          rows={4}
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
          placeholder={"account,symbol,quantity\nACC-ALPHA,AAPL,100"}
          aria-label="Statement rows"
        />
      </label>
      <div className="toolbar end">
        <span className="spacer" />
        <button type="submit" className="primary" disabled={pending}>
          Import and compare
        </button>
      </div>
      {message && (
        <p role={message.kind === "ok" ? "status" : "alert"} className={message.kind === "ok" ? "ok" : "error"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
