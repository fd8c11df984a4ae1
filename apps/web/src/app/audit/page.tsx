"use client";
import { can } from "@fillmore/shared";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useEffect, useState } from "react";
import { AppHeader } from "../../components/app-header";
import { BookAsOf } from "../../components/audit/book-as-of";
import { EventDrawer } from "../../components/audit/event-drawer";
import { FixMessages } from "../../components/audit/fix-messages";
import { type AuditRow, summarize, typeClass } from "../../components/audit/summary";
import { ExportButtons } from "../../components/reports/export-buttons";
import { useTRPC } from "../../lib/trpc";
import { errorText, useSession } from "../../lib/use-session";
import "./audit.css";
import "../reports/reports.css";

const TEXT_FIELDS = [
  ["orderId", "Order id", "O-123"],
  ["clOrdId", "Client order id", "clOrdId"],
  ["venueOrderId", "Venue order id", "SIM-FAST-…"],
  ["actor", "User / API key", "user:… or key:…"],
  ["accountId", "Account", "ACC-ALPHA"],
  ["strategy", "Strategy", "S-…"],
  ["symbol", "Symbol", "AAPL"],
  ["text", "Text", "anywhere in the event"],
] as const;
type TextField = (typeof TEXT_FIELDS)[number][0];

interface Filters {
  orderId?: string;
  clOrdId?: string;
  venueOrderId?: string;
  actor?: string;
  accountId?: string;
  strategy?: string;
  symbol?: string;
  text?: string;
  types?: string[];
  from?: string;
  to?: string;
}

const PAGE = 50;

/** A datetime-local value, read as UTC ("2026-11-29T18:00" → "2026-11-29T18:00:00Z"). */
function utc(value: string): string | undefined {
  if (!value) return undefined;
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

/** "2026-11-29T18:48:08.123456Z" → "11-29 18:48:08.123456" (microseconds as journaled). */
function when(ts: string): string {
  return `${ts.slice(5, 10)} ${ts.slice(11, 26)}`;
}

function filtersFrom(form: FormData): Filters {
  const f: Filters = {};
  for (const [name] of TEXT_FIELDS) {
    const v = String(form.get(name) ?? "").trim();
    if (v) f[name as TextField] = v;
  }
  const types = String(form.get("types") ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
  if (types.length) f.types = types;
  const from = utc(String(form.get("from") ?? ""));
  const to = utc(String(form.get("to") ?? ""));
  if (from) f.from = from;
  if (to) f.to = to;
  return f;
}

/** The audit trail: search the journal, page back by seq, open an event, one order's history, verify the chain. */
export default function AuditPage() {
  const trpc = useTRPC();
  const me = useSession();
  const mayRead = me.data ? can(me.data.role, "audit:read") : false;
  const [filters, setFilters] = useState<Filters | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [open, setOpen] = useState<AuditRow | null>(null);

  // ?orderId=… (links from the blotter and alerts) starts with that order's search and history.
  useEffect(() => {
    const orderId = new URLSearchParams(window.location.search).get("orderId");
    setFilters(orderId ? { orderId } : {});
  }, []);

  const search = useInfiniteQuery(
    trpc.audit.search.infiniteQueryOptions(
      { ...(filters ?? {}), limit: PAGE },
      { enabled: mayRead && filters !== null, getNextPageParam: (last) => last.nextCursor ?? undefined, retry: false },
    ),
  );
  const historyId = filters?.orderId;
  const history = useQuery(
    trpc.audit.orderHistory.queryOptions({ orderId: historyId ?? "" }, { enabled: mayRead && Boolean(historyId), retry: false }),
  );
  const verify = useQuery(trpc.audit.verify.queryOptions(undefined, { enabled: false, retry: false }));

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;
  const header = <AppHeader name={me.data.name} role={role} />;
  if (!mayRead)
    return (
      <>
        {header}
        <main className="layout">
          <section className="card">
            <p className="error">Not permitted: the audit trail needs audit:read (you are {role}).</p>
          </section>
        </main>
      </>
    );

  const events = search.data?.pages.flatMap((p) => p.events) ?? [];
  const firstMs = search.data?.pages[0]?.tookMs;

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOpen(null);
    setFilters(filtersFrom(new FormData(event.currentTarget)));
  }

  function showHistory(orderId: string) {
    setOpen(null);
    setFilters({ orderId });
    setFormKey((k) => k + 1);
  }

  const v = verify.data;

  return (
    <>
      {header}
      <main className="layout audit">
        <section className="card" aria-label="Search the journal">
          <div className="toolbar">
            <h2>Audit trail</h2>
            <span className="muted">every journaled event, newest first</span>
            <span className="spacer" />
            <button type="button" onClick={() => verify.refetch()} disabled={verify.isFetching}>
              {verify.isFetching ? "Verifying…" : "Verify chain"}
            </button>
          </div>
          {(v || verify.error) && (
            <div className={`verify ${v?.ok ? "verify-ok" : "verify-bad"}`} role="status" data-testid="verify-result">
              {verify.error && <span>Verification failed to run: {errorText(verify.error)}</span>}
              {v?.ok && (
                <span>
                  Chain intact: <b>{v.checked.toLocaleString("en-US")}</b> events verified
                  {v.keyedFromSeq !== null ? `, keyed (HMAC) from #${v.keyedFromSeq}` : ", unkeyed chain"}
                  {v.checkpoints > 0 ? `, ${v.checkpoints} signed checkpoints matched` : ""} · {v.verifiedAt.slice(11, 19)} UTC
                </span>
              )}
              {v && !v.ok && (
                <span>
                  Chain BROKEN{v.firstBadSeq !== null ? ` at event #${v.firstBadSeq}` : ""}: {v.reason} ({v.checked.toLocaleString("en-US")}{" "}
                  events verified before it)
                  {v.firstBad && (
                    <button type="button" className="small" onClick={() => setOpen(v.firstBad)}>
                      Show event #{v.firstBad.seq}
                    </button>
                  )}
                </span>
              )}
            </div>
          )}
          <form key={formKey} className="audit-filters" aria-label="Audit filters" onSubmit={onSearch}>
            {TEXT_FIELDS.map(([name, label, placeholder]) => (
              <label key={name}>
                {label}
                <input name={name} placeholder={placeholder} defaultValue={filters?.[name as TextField] ?? ""} maxLength={200} />
              </label>
            ))}
            <label>
              Event types
              <input name="types" placeholder="OrderDenied, CommandRefused" defaultValue={filters?.types?.join(", ") ?? ""} />
            </label>
            <label>
              From (UTC)
              <input name="from" type="datetime-local" step="1" />
            </label>
            <label>
              To (UTC)
              <input name="to" type="datetime-local" step="1" />
            </label>
            <div className="audit-buttons">
              <button type="submit" className="primary">
                Search
              </button>
              <button
                type="button"
                onClick={() => {
                  setFilters({});
                  setFormKey((k) => k + 1);
                }}
              >
                Clear
              </button>
            </div>
          </form>
        </section>

        {historyId && (
          <section className="card" aria-label="Order history">
            <div className="toolbar">
              <h2>
                Order history <span className="mono">{historyId}</span>
              </h2>
              {history.data?.order && (
                <span className="muted">
                  {summarize({ type: "OrderReceived", data: { order: history.data.order } })} · {history.data.accountId}
                </span>
              )}
              <span className="spacer" />
              <Link className="order-link" href={`/orders/${encodeURIComponent(historyId)}`}>
                Order detail
              </Link>
            </div>
            <ExportButtons source="order" label="order history" input={{ orderId: historyId }} disabled={!history.data} />
            {history.error && <p className="error">{history.error.message}</p>}
            {history.data && (
              <ol className="timeline" data-testid="order-history">
                {history.data.events.map((e) => (
                  <li key={e.seq} className={typeClass(e.type)}>
                    <button type="button" className="link" onClick={() => setOpen(e)}>
                      <span className="mono seq">#{e.seq}</span>
                      <span className="mono time">{when(e.ts)}</span>
                      <span className="type">{e.type}</span>
                      {e.orderId !== historyId && <span className="child mono">{e.orderId}</span>}
                      <span className="who">{e.actor}</span>
                      <span className="sum">{summarize(e)}</span>
                    </button>
                  </li>
                ))}
              </ol>
            )}
            {history.data?.truncated && <p className="muted">Only the first 5,000 events are shown.</p>}
            {history.data && (
              <FixMessages
                messages={history.data.fixMessages}
                error={history.data.fixMessagesError}
                truncated={history.data.fixMessagesTruncated}
              />
            )}
          </section>
        )}

        <section className="card" aria-label="Audit events">
          <div className="toolbar">
            <h2>Events</h2>
            <span className="muted" data-testid="result-count">
              {events.length.toLocaleString("en-US")} shown{search.hasNextPage ? ", more below" : ""}
              {firstMs !== undefined ? ` · first page in ${firstMs} ms` : ""}
            </span>
            <span className="spacer" />
            <ExportButtons source="audit" input={filters ?? {}} disabled={filters === null} />
          </div>
          {search.error && <p className="error">{search.error.message}</p>}
          <div className="table-wrap">
            <table aria-label="Journal events">
              <thead>
                <tr>
                  <th className="num">Seq</th>
                  <th>Time (UTC, µs)</th>
                  <th>Type</th>
                  <th>Order</th>
                  <th>Account</th>
                  <th>Actor</th>
                  <th>Summary</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr
                    key={e.seq}
                    data-seq={e.seq}
                    className={open?.seq === e.seq ? "selected" : undefined}
                    onClick={() => setOpen(e)}
                    tabIndex={0}
                    onKeyDown={(k) => {
                      if (k.key === "Enter") setOpen(e);
                    }}
                  >
                    <td className="num mono">{e.seq}</td>
                    <td className="mono">{when(e.ts)}</td>
                    <td>
                      <span className={typeClass(e.type)}>{e.type}</span>
                    </td>
                    <td className="mono">
                      {e.orderId ? (
                        <>
                          <Link
                            className="order-link"
                            href={`/orders/${encodeURIComponent(e.orderId)}`}
                            onClick={(c) => c.stopPropagation()}
                          >
                            {e.orderId}
                          </Link>{" "}
                          <button
                            type="button"
                            className="small"
                            aria-label={`History of ${e.orderId}`}
                            onClick={(c) => {
                              c.stopPropagation();
                              showHistory(e.orderId as string);
                            }}
                          >
                            history
                          </button>
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>{e.accountId ?? <span className="muted">—</span>}</td>
                    <td className="actor">{e.actor}</td>
                    <td className="sum">{summarize(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {search.data && events.length === 0 && <p className="empty">No events match.</p>}
          </div>
          {search.hasNextPage && (
            <div className="more-row">
              <button type="button" onClick={() => search.fetchNextPage()} disabled={search.isFetchingNextPage}>
                {search.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </div>
          )}
        </section>
        <BookAsOf />
      </main>
      {open && <EventDrawer event={open} onClose={() => setOpen(null)} />}
    </>
  );
}
