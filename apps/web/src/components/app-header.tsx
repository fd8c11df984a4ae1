"use client";
import { can, type Role } from "@fillmore/shared";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { AlertBell } from "./alerts/alert-bell";
import { HaltBanner } from "./controls/halt-banner";

interface AppHeaderProps {
  name: string;
  role: Role;
  /** The live stream's state, for the dot; pages without a live stream leave it out. */
  live?: { stale: boolean; reason: string | null };
}

const LINKS: { href: string; label: string; visible: (role: Role) => boolean }[] = [
  { href: "/", label: "Blotter", visible: () => true },
  { href: "/venues", label: "Venues", visible: (role) => can(role, "orders:read") },
  { href: "/positions", label: "Positions", visible: (role) => can(role, "risk:read") },
  { href: "/quality", label: "Quality", visible: (role) => can(role, "risk:read") || can(role, "audit:read") },
  // A back-office page: the roles that read the audit trail (risk, compliance, admin), not traders.
  { href: "/reconciliation", label: "Reconciliation", visible: (role) => can(role, "risk:read") && can(role, "audit:read") },
  { href: "/risk", label: "Risk", visible: (role) => can(role, "risk:read") },
  { href: "/controls", label: "Controls", visible: (role) => can(role, "risk:read") },
  { href: "/alerts", label: "Alerts", visible: (role) => can(role, "risk:read") },
  { href: "/audit", label: "Audit", visible: (role) => can(role, "audit:read") },
  { href: "/reports", label: "Reports", visible: (role) => can(role, "audit:read") },
  { href: "/orders/history", label: "History", visible: (role) => can(role, "orders:read") },
  // Compliance reads the key list; admins create and revoke.
  { href: "/admin/api-keys", label: "API keys", visible: (role) => can(role, "apikeys:read") },
  { href: "/admin/users", label: "Users", visible: (role) => can(role, "admin:users") },
  { href: "/system", label: "System", visible: (role) => can(role, "system:read") },
  // Reference data (venues, instruments, accounts): risk and compliance read, admin changes.
  { href: "/admin/venues", label: "Admin", visible: (role) => can(role, "reference:read") },
];

/** The bar on top of every console page: brand, navigation by role, live dot, who is signed in. */
export function AppHeader({ name, role, live }: AppHeaderProps) {
  const router = useRouter();
  const pathname = usePathname();

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/login");
  }

  const current = (href: string) =>
    href === "/" ? pathname === "/" || (pathname.startsWith("/orders/") && pathname !== "/orders/history") : pathname.startsWith(href);

  return (
    <>
      <header className="topbar">
        <span className="brand">Fillmore</span>
        <nav>
          {LINKS.filter((l) => l.visible(role)).map((l) => (
            <Link key={l.href} href={l.href} aria-current={current(l.href) ? "page" : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <AlertBell role={role} />
        {live && <span className={live.stale ? "live-dot stale" : "live-dot"} title={live.reason ?? "live"} />}
        <span className="who">
          {name} <span className="role">{role}</span>
        </span>
        <button type="button" className="small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <HaltBanner role={role} />
    </>
  );
}
