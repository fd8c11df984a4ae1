import type { TradingHours } from "@fillmore/shared";
import type pg from "pg";
import type { InstrumentRule } from "./risk/checks";

export interface Instrument extends InstrumentRule {
  name: string;
  refPrice: string;
  /** Quote currency; USD unless the row says otherwise. */
  currency: string;
  /** When new orders are taken (risk/trading-hours.ts); null = always open. */
  tradingHours: TradingHours | null;
}

export interface VenueRow {
  id: string;
  name: string;
  kind: "sim" | "fix" | "osengine";
  config: Record<string, unknown>;
  enabled: boolean;
}

export interface ReferenceData {
  instruments: Map<string, Instrument>;
  accounts: Map<string, string>;
  /** Enabled venue rows: built and connected at start. */
  venues: VenueRow[];
  /** Disabled rows: not built, unless working orders are still at the venue (reference/service.ts drains them). */
  disabledVenues?: VenueRow[];
}

/**
 * Instruments, trading accounts and venue rows (enabled, and disabled apart), read at start. Changes after that go through the
 * reference service (reference/service.ts), which updates these same maps and the rows.
 */
export async function loadReference(pool: pg.Pool): Promise<ReferenceData> {
  const [instruments, accounts, venues] = await Promise.all([
    pool.query<{
      symbol: string;
      name: string;
      tick_size: string;
      lot_size: string;
      tradable: boolean;
      ref_price: string;
      allow_no_reference_price: boolean | null;
      currency: string | null;
      trading_hours: TradingHours | null;
    }>(
      // allow_no_reference_price is read through to_jsonb so that an installation may add the column
      // (boolean) when it needs it; without the column every instrument has the flag off (fail closed).
      `SELECT symbol, name, tick_size::text, lot_size::text, tradable, ref_price::text,
              (to_jsonb(i) ->> 'allow_no_reference_price')::boolean AS allow_no_reference_price,
              to_jsonb(i) ->> 'currency' AS currency, to_jsonb(i) -> 'trading_hours' AS trading_hours
         FROM instrument i ORDER BY symbol`,
    ),
    pool.query<{ id: string; name: string }>("SELECT id, name FROM trading_account ORDER BY id"),
    pool.query<VenueRow>("SELECT id, name, kind, config, enabled FROM venue ORDER BY id"),
  ]);
  return {
    instruments: new Map(
      instruments.rows.map((r) => [
        r.symbol,
        {
          symbol: r.symbol,
          name: r.name,
          tickSize: r.tick_size,
          lotSize: r.lot_size,
          tradable: r.tradable,
          refPrice: r.ref_price,
          allowNoReferencePrice: r.allow_no_reference_price === true,
          currency: r.currency ?? "USD",
          tradingHours: r.trading_hours ?? null,
        },
      ]),
    ),
    accounts: new Map(accounts.rows.map((r) => [r.id, r.name])),
    venues: venues.rows.filter((v) => v.enabled),
    disabledVenues: venues.rows.filter((v) => !v.enabled),
  };
}
