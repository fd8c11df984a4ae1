"use client";
import { modifyOrderInput, money, type Order } from "@fillmore/shared";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { formatPx } from "../lib/format";
import { useTRPC } from "../lib/trpc";
import { errorText } from "../lib/use-session";

interface ModifyDialogProps {
  /** The live order (re-rendered as it changes). */
  order: Order;
  places: number;
  onClose: () => void;
}

/** Cancel/replace of quantity and limit/stop price; the engine re-runs its risk checks and may refuse. */
export function ModifyDialog({ order, places, onClose }: ModifyDialogProps) {
  const trpc = useTRPC();
  const modify = useMutation(trpc.orders.modify.mutationOptions());
  const takesPrice = order.ordType === "Limit" || order.ordType === "StopLimit";
  const takesStop = order.ordType === "Stop" || order.ordType === "StopLimit";
  const [qty, setQty] = useState(order.orderQty);
  const [price, setPrice] = useState(order.price ?? "");
  const [stopPx, setStopPx] = useState(order.stopPx ?? "");
  const [error, setError] = useState<string | null>(null);
  /** Sent to the venue: wait for its answer (the order leaves PendingReplace). */
  const [waiting, setWaiting] = useState<{ afterSeq: number; orderQty: string } | null>(null);
  const first = useRef<HTMLInputElement>(null);

  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  // Once, on opening: focus the first field and close on Escape. (Not on every render: the blotter
  // re-renders with each live update, and moving the focus then would steal it from the user.)
  useEffect(() => {
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closeRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (!waiting || order.lastSeq <= waiting.afterSeq || order.ordStatus === "PendingReplace") return;
    if (money.isDecimal(order.orderQty) && money.eq(order.orderQty, waiting.orderQty)) onClose();
    else {
      setError(`the venue did not apply the change; the order is ${order.ordStatus} with quantity ${order.orderQty}`);
      setWaiting(null);
    }
  }, [order, waiting, onClose]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const changes = {
      orderId: order.orderId,
      ...(qty.trim() !== order.orderQty ? { orderQty: qty.trim() } : {}),
      ...(takesPrice && price.trim() !== (order.price ?? "") ? { price: price.trim() } : {}),
      ...(takesStop && stopPx.trim() !== (order.stopPx ?? "") ? { stopPx: stopPx.trim() } : {}),
    };
    const parsed = modifyOrderInput.safeParse(changes);
    if (!parsed.success) {
      setError(parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; "));
      return;
    }
    try {
      const { order: after } = await modify.mutateAsync(parsed.data);
      setError(null);
      if (after.ordStatus === "PendingReplace") setWaiting({ afterSeq: after.lastSeq, orderQty: parsed.data.orderQty ?? order.orderQty });
      else onClose();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const busy = modify.isPending || waiting !== null;
  return (
    <div className="overlay">
      <form className="card dialog" role="dialog" aria-modal="true" aria-label={`Modify ${order.clOrdId}`} onSubmit={onSubmit} noValidate>
        <h2>
          Modify <span className="mono">{order.clOrdId}</span>
        </h2>
        <p className="muted">
          {order.side} {order.orderQty} {order.symbol} {order.ordType}
          {order.price ? ` @ ${formatPx(order.price, places)}` : ""}
          {order.stopPx ? ` stop ${formatPx(order.stopPx, places)}` : ""} · filled {order.cumQty} · {order.ordStatus}
        </p>
        <label>
          New quantity
          <input ref={first} value={qty} onChange={(e) => setQty(e.target.value)} inputMode="decimal" />
        </label>
        {takesStop && (
          <label>
            New stop price
            <input value={stopPx} onChange={(e) => setStopPx(e.target.value)} inputMode="decimal" />
          </label>
        )}
        {takesPrice && (
          <label>
            New limit price
            <input value={price} onChange={(e) => setPrice(e.target.value)} inputMode="decimal" />
          </label>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {waiting && <p className="muted">Sent; waiting for the venue…</p>}
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Sending…" : "Send change"}
          </button>
        </div>
      </form>
    </div>
  );
}
