"use client";
import { can } from "@fillmore/shared";
import { useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { AppHeader } from "../components/app-header";
import { Blotter } from "../components/blotter";
import { Notices } from "../components/notices";
import { OrderTicket } from "../components/order-ticket";
import { useTRPC } from "../lib/trpc";
import { useLiveFeed } from "../lib/use-live-orders";
import { errorText, useSession } from "../lib/use-session";

export default function BlotterPage() {
  const trpc = useTRPC();
  const me = useSession();
  // The feed, not the orders: the blotter subscribes to the frames itself, so this page (header,
  // nav, banners, ticket) re-renders only when the stream goes stale or live again.
  const live = useLiveFeed(me.isSuccess);
  const cancel = useMutation(trpc.orders.cancel.mutationOptions());
  const [notice, setNotice] = useState<string | null>(null);
  // The ticket does not depend on the live orders: keep it out of the per-frame re-render.
  const ticket = useMemo(() => <OrderTicket />, []);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const canSubmit = can(role, "orders:submit");
  const canCancel = can(role, "orders:cancel");

  async function onCancel(orderId: string) {
    try {
      await cancel.mutateAsync({ orderId });
      setNotice(null);
    } catch (error) {
      setNotice(errorText(error));
    }
  }

  return (
    <>
      <AppHeader name={me.data.name} role={role} live={live} />
      <Notices>
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
      </Notices>
      <main className={canSubmit ? "layout with-ticket" : "layout"}>
        {canSubmit && ticket}
        <Blotter store={live.store} canCancel={canCancel} canModify={canSubmit} onCancel={onCancel} exportable />
      </main>
    </>
  );
}
