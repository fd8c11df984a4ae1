"use client";
import { money, ORD_TYPES, type OrdType, submitOrderInput, TIME_IN_FORCES, type TimeInForce } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../lib/trpc";
import { errorText } from "../lib/use-session";

type TrailBy = "amount" | "percent";
interface Issue {
  path: string;
  message: string;
}

const takesPrice = (t: OrdType) => t === "Limit" || t === "StopLimit";
const takesStop = (t: OrdType) => t === "Stop" || t === "StopLimit";

/** A `datetime-local` value (the browser's local time) as ISO-8601 UTC, or null when it is not a time. */
export function localToIsoUtc(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Every order type and time in force. Validates with the server's own schema, then against the
 * instrument's tick and lot size from the reference data, before anything is sent.
 */
export function OrderTicket() {
  const trpc = useTRPC();
  const reference = useQuery(trpc.reference.get.queryOptions());
  const submit = useMutation(trpc.orders.submit.mutationOptions());
  const [ordType, setOrdType] = useState<OrdType>("Limit");
  const [tif, setTif] = useState<TimeInForce>("DAY");
  const [trailBy, setTrailBy] = useState<TrailBy>("amount");
  const [symbol, setSymbol] = useState("");
  const [issues, setIssues] = useState<Issue[]>([]);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const instruments = reference.data?.instruments ?? [];
  const accounts = reference.data?.accounts ?? [];
  const venues = reference.data?.venues ?? [];
  const quotes = new Map((reference.data?.quotes ?? []).map((q) => [q.symbol, q]));
  const instrument = instruments.find((i) => i.symbol === (symbol || instruments[0]?.symbol));

  function fail(found: Issue[]) {
    setIssues(found);
    setMessage({ kind: "error", text: found.map((i) => `${i.path}: ${i.message}`).join("; ") });
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const optional = (name: string) => (text(name) === "" ? undefined : text(name));
    const expireLocal = text("expireTime");
    const expireTime = tif === "GTD" ? (localToIsoUtc(expireLocal) ?? (expireLocal === "" ? undefined : expireLocal)) : undefined;
    const candidate = {
      clOrdId: optional("clOrdId"),
      accountId: text("accountId"),
      symbol: text("symbol"),
      side: text("side"),
      ordType,
      orderQty: text("orderQty"),
      // An empty field is a missing one, so the schema says what is needed ("Stop orders need a stop price").
      ...(takesPrice(ordType) ? { price: optional("price") } : {}),
      ...(takesStop(ordType) ? { stopPx: optional("stopPx") } : {}),
      ...(ordType === "TrailingStop"
        ? trailBy === "amount"
          ? { trailAmount: optional("trail") }
          : { trailPercent: optional("trail") }
        : {}),
      timeInForce: tif,
      expireTime,
      venueId: optional("venueId"),
      routing: optional("routing"),
    };
    const parsed = submitOrderInput.safeParse(candidate);
    const found: Issue[] = parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ path: i.path.join(".") || "order", message: i.message }));
    // The engine's own risk checks, done here first: lot size and tick size of the instrument.
    const rule = instruments.find((i) => i.symbol === candidate.symbol);
    const bad = new Set(found.map((i) => i.path));
    const ok = (v: string | undefined): v is string => v !== undefined && money.isDecimal(v) && money.isPositive(v);
    if (rule) {
      if (!bad.has("orderQty") && ok(candidate.orderQty) && !money.isMultipleOf(candidate.orderQty, rule.lotSize))
        found.push({ path: "orderQty", message: `must be a multiple of the lot size ${rule.lotSize}` });
      for (const field of ["price", "stopPx", "trailAmount"] as const) {
        const value = (candidate as Record<string, string | undefined>)[field];
        if (!bad.has(field) && ok(value) && !money.isMultipleOf(value, rule.tickSize))
          found.push({ path: field, message: `must be a multiple of ${rule.tickSize} (the tick size)` });
      }
    }
    if (!parsed.success || found.length > 0) {
      fail(found);
      return;
    }
    setIssues([]);
    try {
      const result = await submit.mutateAsync(parsed.data);
      const o = result.order;
      setMessage(
        o.ordStatus === "Rejected"
          ? { kind: "error", text: `Rejected: ${o.rejectReason ?? "no reason"}` }
          : { kind: "ok", text: `${o.clOrdId} ${o.ordStatus}` },
      );
    } catch (error) {
      setMessage({ kind: "error", text: errorText(error) });
    }
  }

  const invalid = (path: string) => issues.some((i) => i.path === path) || undefined;
  const tick = instrument?.tickSize ?? "0.01";

  return (
    <form className="card ticket" onSubmit={onSubmit} aria-label="Order ticket" noValidate>
      <h2>New order</h2>
      <div className="segmented types" role="radiogroup" aria-label="Order type">
        {ORD_TYPES.map((t) => (
          <button
            type="button"
            key={t}
            className={ordType === t ? "active" : ""}
            aria-pressed={ordType === t}
            onClick={() => {
              setOrdType(t);
              setIssues([]);
              if (t === "TrailingStop" && (tif === "IOC" || tif === "FOK")) setTif("DAY");
            }}
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
        <select name="symbol" required value={symbol || instruments[0]?.symbol || ""} onChange={(e) => setSymbol(e.target.value)}>
          {instruments.map((i) => (
            <option key={i.symbol} value={i.symbol}>
              {i.symbol} {quotes.get(i.symbol) ? `${quotes.get(i.symbol)?.bid} / ${quotes.get(i.symbol)?.ask}` : ""}
            </option>
          ))}
        </select>
      </label>
      {instrument && (
        <p className="hint">
          tick {instrument.tickSize} · lot {instrument.lotSize}
        </p>
      )}
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
        <input name="orderQty" inputMode="decimal" placeholder={instrument?.lotSize ?? "100"} required aria-invalid={invalid("orderQty")} />
      </label>
      {takesStop(ordType) && (
        <label>
          Stop price
          <input name="stopPx" inputMode="decimal" placeholder={tick} required aria-invalid={invalid("stopPx")} />
        </label>
      )}
      {takesPrice(ordType) && (
        <label>
          Limit price
          <input name="price" inputMode="decimal" placeholder={tick} required aria-invalid={invalid("price")} />
        </label>
      )}
      {ordType === "TrailingStop" && (
        <div className="pair">
          <label>
            Trail by
            <select value={trailBy} onChange={(e) => setTrailBy(e.target.value as TrailBy)}>
              <option value="amount">amount</option>
              <option value="percent">percent</option>
            </select>
          </label>
          <label>
            {trailBy === "amount" ? "Trail amount" : "Trail percent"}
            <input
              name="trail"
              inputMode="decimal"
              placeholder={trailBy === "amount" ? tick : "1.5"}
              required
              aria-invalid={invalid(trailBy === "amount" ? "trailAmount" : "trailPercent")}
            />
          </label>
        </div>
      )}
      <label>
        Time in force
        <select name="timeInForce" value={tif} onChange={(e) => setTif(e.target.value as TimeInForce)}>
          {TIME_IN_FORCES.map((t) => (
            <option key={t} value={t} disabled={ordType === "TrailingStop" && (t === "IOC" || t === "FOK")}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {tif === "GTD" && (
        <label>
          Expire time (local)
          <input name="expireTime" type="datetime-local" step={1} required aria-invalid={invalid("expireTime")} />
        </label>
      )}
      <details className="more">
        <summary>Client order id, venue, routing</summary>
        <label>
          Client order id
          <input name="clOrdId" placeholder="optional, unique per account" maxLength={64} aria-invalid={invalid("clOrdId")} />
        </label>
        <label>
          Venue
          <select name="venueId" defaultValue="">
            <option value="">Best (router)</option>
            {venues.map((v) => (
              <option key={v.id} value={v.id} disabled={!v.healthy}>
                {v.id}
                {v.healthy ? "" : " (down)"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Routing
          <select name="routing" defaultValue="" aria-invalid={invalid("routing")}>
            <option value="">Engine default</option>
            <option value="bestPrice">Best price</option>
            <option value="lowestCost">Lowest cost (fees)</option>
            <option value="fastest">Fastest acknowledgements</option>
            <option value="liquiditySplit">Liquidity split by depth</option>
            <option value="weighted">Weighted balance</option>
          </select>
        </label>
      </details>
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
