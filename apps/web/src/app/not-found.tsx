"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { AppHeader } from "../components/app-header";
import { useTRPC } from "../lib/trpc";

/** Unknown routes: a 404 in the console's own look, with the navigation of whoever is signed in. */
export default function NotFound() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false, staleTime: 60_000 }));
  return (
    <>
      {me.data ? (
        <AppHeader name={me.data.name} role={me.data.role} />
      ) : (
        <header className="topbar">
          <span className="brand">Fillmore</span>
          <nav>
            <Link href="/">Blotter</Link>
          </nav>
          <span className="spacer" />
          {me.isError && <Link href="/login">Sign in</Link>}
        </header>
      )}
      <main className="layout">
        <section className="card not-found" aria-label="Page not found">
          <h1>404: no such page</h1>
          <p className="muted">
            Nothing lives at <span className="mono">{pathname}</span>. Use the navigation above, or go back to the{" "}
            <Link href="/">blotter</Link>.
          </p>
        </section>
      </main>
    </>
  );
}
