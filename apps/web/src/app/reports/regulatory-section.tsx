"use client";
import { can } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { useSession } from "../../lib/use-session";
import "./regulatory.css";

// The Regulatory section of the Reports page: choose a report and its period, preview the file as a
// table, download it (written on the server, journaled as ExportProduced with its SHA-256). Shown only
// to roles with reports:regulatory (compliance, admin); the server refuses everyone else anyway.

const KINDS = [
  ["rule605", "Rule 605 detailed (month)"],
  ["rule605Summary", "Rule 605 summary (month)"],
  ["rule606", "Rule 606(a)(1) XML (quarter)"],
  ["rule606Pdf", "Rule 606(a)(1) PDF (quarter)"],
  ["cat", "CAT order events, .json.bz2 (day)"],
  ["catMetadata", "CAT metadata file (day)"],
  ["customer606", "Rule 606(b)(3) customer report (6 months)"],
] as const;
type Kind = (typeof KINDS)[number][0];
type Request =
  | { kind: "rule605" | "rule605Summary"; month: string }
  | { kind: "rule606" | "rule606Pdf"; quarter: string }
  | { kind: "cat" | "catMetadata"; day: string }
  | { kind: "customer606"; accountId: string; month: string };

const PERIOD: Record<Kind, "month" | "quarter" | "day"> = {
  rule605: "month",
  rule605Summary: "month",
  rule606: "quarter",
  rule606Pdf: "quarter",
  cat: "day",
  catMetadata: "day",
  customer606: "month",
};

/** Today in US Eastern time (the reports' periods are Eastern), YYYY-MM-DD. */
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
const thisMonth = today.slice(0, 7);
const thisQuarter = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;

function requestFrom(form: FormData): Request {
  const kind = String(form.get("kind")) as Kind;
  const month = String(form.get("month") ?? "");
  if (kind === "rule605" || kind === "rule605Summary") return { kind, month };
  if (kind === "rule606" || kind === "rule606Pdf") return { kind, quarter: String(form.get("quarter") ?? "") };
  if (kind === "cat" || kind === "catMetadata") return { kind, day: String(form.get("day") ?? "") };
  return { kind, accountId: String(form.get("accountId") ?? "").trim(), month };
}

export function RegulatorySection() {
  const me = useSession();
  if (!me.data || !can(me.data.role, "reports:regulatory")) return null;
  return <RegulatoryPanel />;
}

function RegulatoryPanel() {
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("rule605");
  const [request, setRequest] = useState<Request | null>(null);
  const preview = useQuery(
    trpc.reports.regulatory.preview.queryOptions(request ?? { kind: "rule605", month: thisMonth }, {
      enabled: request !== null,
      retry: false,
    }),
  );
  const download = useMutation(trpc.reports.regulatory.export.mutationOptions());
  const period = PERIOD[kind];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    download.reset();
    const next = requestFrom(new FormData(event.currentTarget));
    // The same report and period again: read the journal again (new orders since).
    if (JSON.stringify(next) === JSON.stringify(request)) void preview.refetch();
    else setRequest(next);
  }

  const p = preview.data;
  const done = download.data;
  return (
    <section className="card regulatory" aria-label="Regulatory">
      <div className="toolbar">
        <h2>Regulatory</h2>
        <span className="muted">Rule 605, Rule 606 and CAT files computed from the journal; US Eastern periods</span>
      </div>
      <form className="regulatory-form" aria-label="Regulatory report" onSubmit={onSubmit}>
        <label>
          Report
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {period === "month" && (
          <label>
            Month
            <input name="month" type="month" defaultValue={thisMonth} required pattern="\d{4}-\d{2}" />
          </label>
        )}
        {period === "quarter" && (
          <label>
            Quarter
            <input name="quarter" defaultValue={thisQuarter} required pattern="\d{4}-Q[1-4]" placeholder="2026-Q3" />
          </label>
        )}
        {period === "day" && (
          <label>
            Day
            <input name="day" type="date" defaultValue={today} required />
          </label>
        )}
        {kind === "customer606" && (
          <label>
            Customer account
            <input name="accountId" required maxLength={128} placeholder="ACC-ALPHA" />
          </label>
        )}
        <div className="report-buttons">
          <button type="submit" className="primary">
            Preview file
          </button>
        </div>
      </form>

      {preview.error && <p className="error">{preview.error.message}</p>}
      {p && (
        <>
          <div className="toolbar">
            <span className="mono" data-testid="regulatory-file">
              {p.fileName}
            </span>
            <span className="muted">
              {p.rows.toLocaleString("en-US")} {p.rows === 1 ? "record" : "records"} · {(p.bytes / 1024).toFixed(1)} KiB
            </span>
            <span className="spacer" />
            <button
              type="button"
              className="small"
              disabled={download.isPending || request === null}
              onClick={() => request && download.mutate(request)}
            >
              Download {p.format.toUpperCase()}
            </button>
            <span role="status" className="export-state" data-testid="regulatory-export">
              {download.error && <span className="error">{download.error.message}</span>}
              {done && (
                <span>
                  <a className="download" href={`/reports/exports/${done.id}`} download={done.fileName}>
                    Save {done.fileName}
                  </a>{" "}
                  <span className="muted">
                    journaled #{done.journalSeq} · SHA-256{" "}
                    <span className="mono" title={done.sha256}>
                      {done.sha256.slice(0, 16)}…
                    </span>
                  </span>
                </span>
              )}
            </span>
          </div>
          <div className="table-wrap">
            <table aria-label="Regulatory preview">
              <thead>
                <tr>
                  {p.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.preview.map((row, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows of a file have no id of their own
                  <tr key={i}>
                    {p.columns.map((c, j) => (
                      <td key={c} className="mono">
                        {row[j]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            {p.preview.length === 0 && <p className="empty">No records in this period.</p>}
          </div>
          {p.truncated && <p className="muted">The preview shows the first {p.preview.length} records; the file holds them all.</p>}
          <ul className="regulatory-notes muted">
            {p.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
