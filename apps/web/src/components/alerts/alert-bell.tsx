"use client";
import { can, type Role } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../lib/trpc";

/** The bell on every page: unacknowledged alerts (polled every 3 s), red with a critical one; opens the Alerts page. */
export function AlertBell({ role }: { role: Role }) {
  const trpc = useTRPC();
  const enabled = can(role, "risk:read");
  const count = useQuery(trpc.alerts.count.queryOptions(undefined, { enabled, refetchInterval: 3000 }));
  if (!enabled) return null;
  const open = count.data?.open ?? 0;
  const critical = count.data?.critical ?? 0;
  const title = count.error
    ? "alerts unavailable: the engine did not answer"
    : `${open} unacknowledged alert${open === 1 ? "" : "s"}${critical > 0 ? `, ${critical} critical` : ""}`;
  return (
    <Link
      href="/alerts"
      className={`alert-bell${critical > 0 ? " critical" : open > 0 ? " warn" : ""}${count.error ? " unknown" : ""}`}
      aria-label={`Alerts: ${title}`}
      title={title}
      data-testid="alert-bell"
      style={{
        display: "inline-flex",
        alignItems: "center",
        gap: 4,
        padding: "2px 8px",
        borderRadius: 12,
        textDecoration: "none",
        color: critical > 0 ? "#fff" : "var(--text)",
        background: critical > 0 ? "#b00020" : open > 0 ? "#4a3b12" : "transparent",
        border: "1px solid var(--border)",
        fontWeight: 600,
      }}
    >
      <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
      </svg>
      <span data-testid="alert-count">{count.error ? "?" : open}</span>
    </Link>
  );
}
