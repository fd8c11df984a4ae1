"use client";
import { Fragment, useState } from "react";
import type { FixMessageView } from "../../server/engine-client";
import "./fix-messages.css";

/** OrdStatus (39) and ExecType (150) codes, FIX 4.2/4.4. */
const STATUS: Record<string, string> = {
  "0": "New",
  "1": "PartiallyFilled",
  "2": "Filled",
  "3": "DoneForDay",
  "4": "Canceled",
  "5": "Replaced",
  "6": "PendingCancel",
  "8": "Rejected",
  A: "PendingNew",
  C: "Expired",
  D: "Restated",
  E: "PendingReplace",
  F: "Trade",
  G: "TradeCorrect",
  H: "TradeCancel",
  I: "OrderStatus",
};

/** The key fields shown as columns (tag, heading); every tag is in the row's expansion. */
const KEY_FIELDS = [
  [11, "ClOrdID"],
  [41, "OrigClOrdID"],
  [39, "OrdStatus"],
  [150, "ExecType"],
  [32, "LastQty"],
  [31, "LastPx"],
  [14, "CumQty"],
  [58, "Text"],
] as const;
const CODED = new Set<number>([39, 150]);

const tagValue = (m: FixMessageView, tag: number) => m.fields.find(([t]) => t === tag)?.[2];
/** Each field with a stable key: its place in the message (a tag may repeat). */
const keyed = (m: FixMessageView) => m.fields.map(([tag, name, value], place) => ({ id: `${place}:${tag}`, tag, name, value }));
/** A message's key: venue, direction, number and time (numbers start again after a sequence reset). */
const keyOf = (m: FixMessageView) => `${m.venueId}/${m.direction}/${m.seq}/${m.sendingTime}`;

const coded = (value: string | undefined) => (value === undefined ? "" : `${value} ${STATUS[value] ?? ""}`.trim());

/** "20261130-03:44:01.123" → "11-30 03:44:01.123" */
const when = (sendingTime: string) => `${sendingTime.slice(4, 6)}-${sendingTime.slice(6, 8)} ${sendingTime.slice(9)}`;

/**
 * The FIX messages exchanged for one order (audit.orderHistory's fixMessages), oldest first: what was
 * sent and what the venue answered, key fields as columns, every tag on expanding a row.
 */
export function FixMessages({
  messages,
  error,
  truncated,
}: {
  messages: FixMessageView[] | null;
  error: string | null;
  truncated: boolean;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (i: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(i)) next.add(i);
      return next;
    });
  return (
    <section className="fix-messages" aria-label="FIX messages">
      <h3>FIX messages</h3>
      {error && <p className="error">{error}</p>}
      {messages?.length === 0 && <p className="muted">No FIX messages: this order was not sent over a FIX session.</p>}
      {messages && messages.length > 0 && (
        <div className="table-wrap">
          <table aria-label="FIX messages of the order">
            <thead>
              <tr>
                <th />
                <th>Dir</th>
                <th>Venue</th>
                <th>Seq</th>
                <th>SendingTime</th>
                <th>MsgType</th>
                {KEY_FIELDS.map(([tag, name]) => (
                  <th key={tag}>{name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <Fragment key={keyOf(m)}>
                  <tr className={`fix-${m.direction}`} data-msg-type={m.msgType} onClick={() => toggle(keyOf(m))}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-expanded={open.has(keyOf(m))}
                        aria-label={`All tags of ${m.direction === "out" ? "sent" : "received"} ${m.msgTypeName ?? m.msgType} #${m.seq}`}
                        onClick={(event) => {
                          event.stopPropagation();
                          toggle(keyOf(m));
                        }}
                      >
                        {open.has(keyOf(m)) ? "▾" : "▸"}
                      </button>
                    </td>
                    <td className="dir">{m.direction === "out" ? "→ out" : "← in"}</td>
                    <td className="mono">{m.venueId}</td>
                    <td className="mono">{m.seq}</td>
                    <td className="mono">{when(m.sendingTime)}</td>
                    <td>
                      <span className="mono">{m.msgType}</span> {m.msgTypeName ?? ""}
                    </td>
                    {KEY_FIELDS.map(([tag]) => (
                      <td key={tag} className={tag === 58 ? "text" : "mono"}>
                        {CODED.has(tag) ? coded(tagValue(m, tag)) : (tagValue(m, tag) ?? "")}
                      </td>
                    ))}
                  </tr>
                  {open.has(keyOf(m)) && (
                    <tr className="fix-tags">
                      <td colSpan={6 + KEY_FIELDS.length}>
                        <dl>
                          {keyed(m).map(({ id, tag, name, value }) => (
                            <Fragment key={id}>
                              <dt className="mono">
                                {tag} {name ?? ""}
                              </dt>
                              <dd className="mono">{value}</dd>
                            </Fragment>
                          ))}
                        </dl>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {truncated && <p className="muted">Only the newest 500 FIX messages are shown.</p>}
    </section>
  );
}
