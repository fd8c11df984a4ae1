"use client";
import { submitOrderInput } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../lib/trpc";

/** Market or limit, buy or sell. Validates with the server's own schema before sending. */
export function OrderTicket() {
  const trpc = useTRPC();
  const reference = useQuery(trpc.reference.get.queryOptions());
  const submit = useMutation(trpc.orders.submit.mutationOptions());
  const [ordType, setOrdType] = useState<"Market" | "Limit">("Limit");
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const candidate = {
      accountId: String(form.get("accountId") ?? ""),
      symbol: String(form.get("symbol") ?? ""),
      side: String(form.get("side") ?? ""),
      ordType,
      orderQty: String(form.get("orderQty") ?? "").trim(),
      ...(ordType === "Limit" ? { price: String(form.get("price") ?? "").trim() } : {}),
      timeInForce: String(form.get("timeInForce") ?? "DAY"),
    };
    const parsed = submitOrderInput.safeParse(candidate);
    if (!parsed.success) {
      setMessage({ kind: "error", text: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
      return;
    }
    try {
      const result = await submit.mutateAsync(parsed.data);
      const o = result.order;
      setMessage(
        o.ordStatus === "Rejected"
          ? { kind: "error", text: `Rejected: ${o.rejectReason ?? "no reason"}` }
          : { kind: "ok", text: `${o.clOrdId} ${o.ordStatus}` },
      );
    } catch (error) {
      setMessage({ kind: "error", text: error instanceof Error ? error.message : String(error) });
    }
  }

  const instruments = reference.data?.instruments ?? [];
  const accounts = reference.data?.accounts ?? [];
  const quotes = new Map((reference.data?.quotes ?? []).map((q) => [q.symbol, q]));

  return (
    <form className="card ticket" onSubmit={onSubmit} aria-label="Order ticket">
      <h2>New order</h2>
      <div className="segmented" role="radiogroup" aria-label="Order type">
        {(["Limit", "Market"] as const).map((t) => (
          <button
            type="button"
            key={t}
            className={ordType === t ? "active" : ""}
            aria-pressed={ordType === t}
            onClick={() => setOrdType(t)}
          >
            {t}
          </button>
        ))}
      </div>
      <label>
        Account
        <select name="accountId" required>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id} — {a.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Symbol
        <select name="symbol" required>
          {instruments.map((i) => (
            <option key={i.symbol} value={i.symbol}>
              {i.symbol} {quotes.get(i.symbol) ? `${quotes.get(i.symbol)?.bid} / ${quotes.get(i.symbol)?.ask}` : ""}
            </option>
          ))}
        </select>
      </label>
      <div className="side-pick">
        <label className="radio buy">
          <input type="radio" name="side" value="Buy" defaultChecked /> Buy
        </label>
        <label className="radio sell">
          <input type="radio" name="side" value="Sell" /> Sell
        </label>
      </div>
      <label>
        Quantity
        <input name="orderQty" inputMode="decimal" placeholder="100" required />
      </label>
      {ordType === "Limit" && (
        <label>
          Limit price
          <input name="price" inputMode="decimal" placeholder="0.00" required />
        </label>
      )}
      <label>
        Time in force
        <select name="timeInForce" defaultValue="DAY">
          <option value="DAY">DAY</option>
          <option value="GTC">GTC</option>
        </select>
      </label>
      <button type="submit" className="primary" disabled={submit.isPending}>
        {submit.isPending ? "Sending…" : "Submit order"}
      </button>
      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} className={message.kind === "error" ? "error" : "ok"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
