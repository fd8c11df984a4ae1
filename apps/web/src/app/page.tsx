"use client";
import { can } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Blotter } from "../components/blotter";
import { OrderTicket } from "../components/order-ticket";
import { useTRPC } from "../lib/trpc";
import { useLiveOrders } from "../lib/use-live-orders";

export default function BlotterPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false }));
  const live = useLiveOrders(me.isSuccess);
  const cancel = useMutation(trpc.orders.cancel.mutationOptions());
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (me.error?.data?.code === "UNAUTHORIZED") router.replace("/login");
  }, [me.error, router]);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const canSubmit = can(role, "orders:submit");
  const canCancel = can(role, "orders:cancel");

  async function onCancel(orderId: string) {
    try {
      await cancel.mutateAsync({ orderId });
      setNotice(null);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  }

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/login");
  }

  return (
    <>
      <header className="topbar">
        <span className="brand">Fillmore</span>
        <nav>
          <a href="/" aria-current="page">
            Blotter
          </a>
          {can(role, "admin:apikeys") && <a href="/admin/api-keys">API keys</a>}
        </nav>
        <span className="spacer" />
        <span className={live.stale ? "live-dot stale" : "live-dot"} title={live.reason ?? "live"} />
        <span className="who">
          {me.data.name} <span className="role">{role}</span>
        </span>
        <button type="button" className="small" onClick={signOut}>
          Sign out
        </button>
      </header>
      {live.stale && (
        <div className="banner" role="status">
          Data may be stale: {live.reason ?? "resyncing"}
        </div>
      )}
      {notice && (
        <div className="banner error" role="alert">
          {notice}
        </div>
      )}
      <main className={canSubmit ? "layout with-ticket" : "layout"}>
        {canSubmit && <OrderTicket />}
        <Blotter orders={live.orders} changed={live.changed} canCancel={canCancel} onCancel={onCancel} />
      </main>
    </>
  );
}
