"use client";
import { can, type Role } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { useTRPC } from "../../lib/trpc";
import { AppHeader } from "../app-header";

const TABS = [
  { href: "/admin/venues", label: "Venues" },
  { href: "/admin/instruments", label: "Instruments" },
  { href: "/admin/accounts", label: "Accounts" },
] as const;

/**
 * The Admin section's frame: header, tabs, and the role check (risk and compliance read, admin changes). The
 * server checks again on every procedure; this only decides what to show.
 */
export function AdminShell({ title, children }: { title: string; children: (ctx: { role: Role; canWrite: boolean }) => ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false }));
  useEffect(() => {
    if (me.error?.data?.code === "UNAUTHORIZED") router.replace("/login");
  }, [me.error, router]);
  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const canRead = can(role, "reference:read");
  return (
    <>
      <AppHeader name={me.data.name} role={role} />
      <nav className="admin-tabs" aria-label="Admin sections" style={{ display: "flex", gap: 12, padding: "8px 16px" }}>
        {TABS.map((t) => (
          <Link
            key={t.href}
            href={t.href}
            aria-current={pathname === t.href ? "page" : undefined}
            style={{ color: pathname === t.href ? "#fff" : "var(--accent)", fontWeight: pathname === t.href ? 600 : 400 }}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {canRead ? (
        children({ role, canWrite: can(role, "reference:write") })
      ) : (
        <main className="layout">
          <section className="card" aria-label={title}>
            <h2>{title}</h2>
            <p className="error">Not permitted: reference data is for the risk, compliance and admin roles (you are {role}).</p>
          </section>
        </main>
      )}
    </>
  );
}

/** The message of a failed call (a tRPC error carries the server's, e.g. the field that failed its check). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** zod issues as one line per field, the way the server words them. */
export function issuesText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`).join("; ");
}
