"use client";
import { can, type Role } from "@fillmore/shared";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc";

/**
 * The persistent red banner on every page, for every role, while any scope is HALTED: scope,
 * reason and author. Polls the engine's controls state (controls.state, risk:read).
 */
export function HaltBanner({ role }: { role: Role }) {
  const trpc = useTRPC();
  const state = useQuery(trpc.controls.state.queryOptions(undefined, { enabled: can(role, "risk:read"), refetchInterval: 2000 }));
  const halts = (state.data?.states ?? []).filter((s) => s.state === "HALTED");
  if (halts.length === 0) return null;
  return (
    <section
      aria-label="Trading halted"
      data-testid="halt-banner"
      style={{ background: "#b00020", color: "#fff", padding: "6px 16px", fontWeight: 600, display: "grid", gap: 2 }}
    >
      {halts.map((h) => (
        <div key={h.scope}>
          TRADING HALTED — {h.scope}: “{h.reason}” — by {h.setBy} at {h.setAt.replace("T", " ").slice(0, 19)}Z
          {h.allowReducing ? " (orders that reduce a position still pass; cancels always do)" : " (cancels only)"}
        </div>
      ))}
    </section>
  );
}
