"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../lib/trpc";
import "./export-buttons.css";
import { rowsText } from "./rows-text";

const FORMATS = ["csv", "xlsx", "pdf", "json"] as const;
type Format = (typeof FORMATS)[number];
type Source = "trades" | "audit" | "orders" | "order" | "blotter" | "asOf";

/**
 * Export buttons for one view: the file is written on the server (streaming) while this shows the rows
 * written so far; when done and journaled it offers the download and shows the file's SHA-256.
 */
export function ExportButtons({
  source,
  input,
  disabled,
  label,
}: {
  source: Source;
  input: unknown;
  disabled?: boolean;
  /** What is exported, for a page with more than one set of buttons ("Export order history CSV"). */
  label?: string;
}) {
  const trpc = useTRPC();
  const [id, setId] = useState<string | null>(null);
  const start = useMutation(trpc.reports.exportStart.mutationOptions({ onSuccess: (meta) => setId(meta.id) }));
  const status = useQuery(
    trpc.reports.exportStatus.queryOptions(
      { id: id ?? "" },
      { enabled: id !== null, retry: false, refetchInterval: (q) => (q.state.data?.status === "running" ? 500 : false) },
    ),
  );
  const meta = status.data;
  const busy = start.isPending || meta?.status === "running";

  function begin(format: Format) {
    setId(null);
    start.mutate({ source, format, input });
  }

  return (
    <div className="export-buttons">
      <span className="muted">Export</span>
      {FORMATS.map((f) => (
        <button
          key={f}
          type="button"
          className="small"
          aria-label={label ? `Export ${label} ${f.toUpperCase()}` : `Export ${f.toUpperCase()}`}
          disabled={disabled || busy}
          onClick={() => begin(f)}
        >
          {f.toUpperCase()}
        </button>
      ))}
      <span role="status" className="export-state" data-testid={label ? `export-state-${label.replaceAll(" ", "-")}` : "export-state"}>
        {start.error && <span className="error">{start.error.message}</span>}
        {status.error && <span className="error">{status.error.message}</span>}
        {meta?.status === "running" && (
          <span>
            Writing {meta.format.toUpperCase()}…{" "}
            {meta.total ? (
              <progress aria-label="Export progress" max={meta.total} value={meta.rows} />
            ) : (
              <progress aria-label="Export progress" />
            )}{" "}
            {rowsText(meta.rows, meta.total)}
          </span>
        )}
        {meta?.status === "failed" && <span className="error">Export failed: {meta.error}</span>}
        {meta?.status === "done" && (
          <span>
            <a className="download" href={`/reports/exports/${meta.id}`} download={meta.fileName}>
              Download {meta.fileName}
            </a>{" "}
            <span className="muted">
              {rowsText(meta.rows, null)} · {((meta.bytes ?? 0) / 1024).toFixed(1)} KiB · journaled #{meta.journalSeq} · SHA-256{" "}
              <span className="mono" title={meta.sha256 ?? ""}>
                {meta.sha256?.slice(0, 16)}…
              </span>
            </span>
          </span>
        )}
      </span>
    </div>
  );
}
