"use client";
import { useQuery } from "@tanstack/react-query";
import { rowsText } from "../../components/reports/rows-text";
import { useTRPC } from "../../lib/trpc";

// The Recent exports section of the Reports page: the caller's own exports from every page (trade
// reports, audit searches, order histories, the blotter, the Quality page, regulatory files), newest
// first, with their state, SHA-256 and journal seq, downloadable while the store keeps the file (24 h).

export function RecentExports() {
  const trpc = useTRPC();
  const list = useQuery(
    trpc.reports.exportList.queryOptions(
      { limit: 20 },
      { retry: false, refetchInterval: (q) => (q.state.data?.some((e) => e.status === "running") ? 1_000 : 5_000) },
    ),
  );
  const exports = list.data ?? [];
  return (
    <section className="card" aria-label="Recent exports">
      <div className="toolbar">
        <h2>Recent exports</h2>
        <span className="muted">yours, from every page, newest first; each journaled with its SHA-256; files kept 24 hours</span>
      </div>
      {/* The box keeps its height while loading and when empty: the sections below never move under the pointer. */}
      <div className="table-wrap fixed">
        {list.error && <p className="error">{list.error.message}</p>}
        {list.isPending && <p className="muted">Loading…</p>}
        {list.data && exports.length === 0 && <p className="muted">None yet.</p>}
        {exports.length > 0 && (
          <table aria-label="Recent exports">
            <thead>
              <tr>
                <th>Started (UTC)</th>
                <th>What</th>
                <th>Format</th>
                <th>State</th>
                <th className="num">Rows</th>
                <th>SHA-256</th>
                <th className="num">Journal seq</th>
                <th>File</th>
              </tr>
            </thead>
            <tbody>
              {exports.map((e) => (
                <tr key={e.id} data-export-id={e.id}>
                  <td className="mono">{e.startedAt.slice(0, 19).replace("T", " ")}</td>
                  <td title={JSON.stringify(e.filters)}>{e.source}</td>
                  <td>{e.format.toUpperCase()}</td>
                  <td className={e.status === "failed" ? "error" : undefined} title={e.error ?? undefined}>
                    {e.status === "failed" ? `failed: ${e.error ?? ""}` : e.status}
                  </td>
                  <td className="num mono">{rowsText(e.rows, e.status === "running" ? e.total : null)}</td>
                  <td className="mono" title={e.sha256 ?? ""}>
                    {e.sha256 ? `${e.sha256.slice(0, 16)}…` : "—"}
                  </td>
                  <td className="num mono">{e.journalSeq ?? "—"}</td>
                  <td className="mono">
                    {e.downloadable ? (
                      <a href={`/reports/exports/${e.id}`} download={e.fileName}>
                        {e.fileName}
                      </a>
                    ) : (
                      <span className="muted">{e.status === "done" ? `${e.fileName} (no longer kept)` : e.fileName}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
