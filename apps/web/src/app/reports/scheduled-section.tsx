"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc";

// The Scheduled reports section of the Reports page: what the console wrote at each session boundary
// (the day's trade report as CSV and PDF, the signed digest of the journal head and its public key),
// newest day first, each file downloadable with the SHA-256 journaled for it.

const LABELS: Record<string, string> = { report: "Trade report", digest: "Chain digest (signed)", "public-key": "Digest public key" };

export function ScheduledSection() {
  const trpc = useTRPC();
  const list = useQuery(trpc.reports.scheduled.list.queryOptions(undefined, { retry: false, refetchInterval: 60_000 }));
  const days = list.data?.days ?? [];
  return (
    <section className="card" aria-label="Scheduled reports">
      <div className="toolbar">
        <h2>Scheduled reports</h2>
        <span className="muted">
          written at each session boundary (SESSION_END_UTC), journaled by scheduler, kept on the console's disk
        </span>
      </div>
      {list.error && <p className="error">{list.error.message}</p>}
      {list.data && days.length === 0 && <p className="muted">None yet: the first is written at the next session boundary.</p>}
      {days.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Scheduled files">
            <thead>
              <tr>
                <th>Trading day</th>
                <th>File</th>
                <th>What</th>
                <th className="num">Rows</th>
                <th className="num">Bytes</th>
                <th>SHA-256</th>
                <th className="num">Journal seq</th>
              </tr>
            </thead>
            <tbody>
              {days.flatMap((d) =>
                d.files.map((f) => (
                  <tr key={`${d.day}/${f.fileName}`}>
                    <td className="mono" title={`${d.from} to ${d.to}`}>
                      {d.day}
                    </td>
                    <td className="mono">
                      <a href={`/reports/scheduled/${d.day}/${f.fileName}`} download>
                        {f.fileName}
                      </a>
                    </td>
                    <td>
                      {LABELS[f.kind] ?? f.kind}
                      {f.kind === "digest" && d.digest ? ` (head seq ${d.digest.seq})` : ""}
                    </td>
                    <td className="num mono">{f.kind === "report" ? f.rows : ""}</td>
                    <td className="num mono">{f.bytes}</td>
                    <td className="mono" title={f.sha256}>
                      {f.sha256.slice(0, 16)}…
                    </td>
                    <td className="num mono">{f.journalSeq ?? "—"}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
