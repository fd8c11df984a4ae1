"use client";
import type { PnlMethod, PositionRow, Rollup } from "@fillmore/shared";
import { formatPx, formatQty, formatTime } from "../../lib/format";
import { formatAmount, formatMoney, signClass } from "./money";
import { rowKey } from "./use-live-positions";

interface PositionsTableProps {
  rows: readonly PositionRow[];
  method: PnlMethod;
  /** Roll-ups in USD for the chosen method, from the engine. */
  byAccount: readonly Rollup[];
  firm: Rollup | undefined;
  accountNames: ReadonlyMap<string, string>;
  /** Price places per symbol (from the tick size). */
  placesOf: (symbol: string) => number;
  selected: string | null;
  onSelect: (key: string) => void;
}

const COLUMNS = 11;

function Money({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return (
    <td className={`num ${signClass(value)}`} data-column={testId}>
      {formatMoney(value)}
    </td>
  );
}

function MarkCell({ row, places }: { row: PositionRow; places: number }) {
  if (!row.mark)
    return (
      <td className="num muted" data-column="mark">
        {row.qty === "0" ? "—" : "no mark"}
      </td>
    );
  const { px, source, ts, stale } = row.mark;
  const title = `${source} at ${formatTime(ts)} UTC${stale ? ": older than the limit, shown as stale" : ""}`;
  return (
    <td className={`num${stale ? " mark-stale" : ""}`} data-column="mark" data-stale={stale ? "true" : undefined} title={title}>
      {formatPx(px, places)}
      {stale && <span className="stale-tag">stale</span>}
    </td>
  );
}

function TotalRow({ label, rollup, testId }: { label: string; rollup: Rollup | undefined; testId: string }) {
  const warn = rollup?.incomplete
    ? [
        rollup.missingMarks.length > 0 ? `no mark: ${rollup.missingMarks.join(", ")}` : "",
        rollup.staleMarks.length > 0 ? `stale mark: ${rollup.staleMarks.join(", ")}` : "",
        rollup.fxMissing.length > 0 ? `no FX rate: ${rollup.fxMissing.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ")
    : "";
  const exposure = rollup
    ? `long ${formatAmount(rollup.exposure.long)} · short ${formatAmount(rollup.exposure.short)} · gross ${formatAmount(rollup.exposure.gross)}`
    : undefined;
  return (
    <tr className="total" data-total={testId}>
      <td colSpan={5} className="strong">
        {label}
        {warn && (
          <span className="incomplete" title={warn}>
            {" "}
            incomplete
          </span>
        )}
      </td>
      <Money value={rollup?.unrealized} testId="unrealized" />
      <Money value={rollup?.realized} testId="realized" />
      <td className="num" data-column="fees">
        {formatMoney(rollup?.fees).replace(/^\+/, "")}
      </td>
      <Money value={rollup?.net} testId="net" />
      <td className="num" data-column="exposure" title={exposure}>
        {formatAmount(rollup?.exposure.net)}
      </td>
      <td className="muted">USD</td>
    </tr>
  );
}

/** Positions grouped by account, each group closed by its USD total; the firm's total last. */
export function PositionsTable({ rows, method, byAccount, firm, accountNames, placesOf, selected, onSelect }: PositionsTableProps) {
  const accounts = [...new Set(rows.map((r) => r.accountId))].sort();
  const rollupOf = new Map(byAccount.map((r) => [r.group.accountId ?? "", r]));
  const order = (a: PositionRow, b: PositionRow) => (a.strategy ?? "").localeCompare(b.strategy ?? "") || a.symbol.localeCompare(b.symbol);

  return (
    <div className="table-wrap positions-wrap">
      <table aria-label="Positions and P&L">
        <thead>
          <tr>
            <th>Strategy</th>
            <th>Symbol</th>
            <th className="num">Quantity</th>
            <th className="num">Avg price</th>
            <th className="num">Mark</th>
            <th className="num">Unrealized</th>
            <th className="num">Realized</th>
            <th className="num">Fees</th>
            <th className="num">Net P&amp;L</th>
            <th className="num">Exposure</th>
            <th>Ccy</th>
          </tr>
        </thead>
        {accounts.length === 0 && (
          <tbody>
            <tr>
              <td colSpan={COLUMNS} className="empty">
                No positions yet: fills appear here as they happen.
              </td>
            </tr>
          </tbody>
        )}
        {accounts.map((accountId) => (
          <tbody key={accountId} data-account={accountId}>
            <tr className="group">
              <th colSpan={COLUMNS} scope="rowgroup">
                {accountId}
                {accountNames.get(accountId) && <span className="muted"> · {accountNames.get(accountId)}</span>}
              </th>
            </tr>
            {rows
              .filter((r) => r.accountId === accountId)
              .sort(order)
              .map((r) => {
                const key = rowKey(r);
                const places = placesOf(r.symbol);
                const qtyClass = r.qty.startsWith("-") ? "sell" : r.qty === "0" ? "muted" : "buy";
                return (
                  <tr
                    key={key}
                    data-position={key}
                    data-symbol={r.symbol}
                    data-strategy={r.strategy ?? ""}
                    className={`${selected === key ? "selected" : ""}${r.qty === "0" ? " flat" : ""}`}
                  >
                    <td className={r.strategy ? "" : "muted"}>{r.strategy ?? "—"}</td>
                    <td className="strong">
                      <button
                        type="button"
                        className="linkish"
                        aria-label={`Fills of ${accountId} ${r.strategy ?? "no strategy"} ${r.symbol}`}
                        aria-expanded={selected === key}
                        onClick={() => onSelect(key)}
                      >
                        {r.symbol}
                      </button>
                    </td>
                    <td className={`num ${qtyClass}`} data-column="qty">
                      {formatQty(r.qty)}
                    </td>
                    <td className="num" data-column="avg">
                      {formatPx(r.avgPx, places + 2)}
                    </td>
                    <MarkCell row={r} places={places} />
                    <Money value={r.unrealizedBy[method]} testId="unrealized" />
                    <Money value={r.realizedBy[method]} testId="realized" />
                    <td
                      className="num"
                      data-column="fees"
                      title={Object.entries(r.feesByCurrency)
                        .map(([c, a]) => `${a} ${c}`)
                        .join(", ")}
                    >
                      {formatMoney(r.fees).replace(/^\+/, "")}
                    </td>
                    <Money value={r.net} testId="net" />
                    <td className="num" data-column="exposure">
                      {formatAmount(r.notional)}
                    </td>
                    <td className="muted">{r.currency}</td>
                  </tr>
                );
              })}
            <TotalRow label={`${accountId} total`} rollup={rollupOf.get(accountId)} testId={accountId} />
          </tbody>
        ))}
        {accounts.length > 0 && (
          <tfoot>
            <TotalRow label="Firm total" rollup={firm} testId="firm" />
          </tfoot>
        )}
      </table>
    </div>
  );
}
