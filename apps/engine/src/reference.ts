import type pg from "pg";
import type { InstrumentRule } from "./risk/checks";

export interface Instrument extends InstrumentRule {
  name: string;
  refPrice: string;
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
  venues: VenueRow[];
}

/** Instruments, trading accounts and venues, read once at start. */
export async function loadReference(pool: pg.Pool): Promise<ReferenceData> {
  const [instruments, accounts, venues] = await Promise.all([
    pool.query<{ symbol: string; name: string; tick_size: string; lot_size: string; tradable: boolean; ref_price: string }>(
      "SELECT symbol, name, tick_size::text, lot_size::text, tradable, ref_price::text FROM instrument ORDER BY symbol",
    ),
    pool.query<{ id: string; name: string }>("SELECT id, name FROM trading_account ORDER BY id"),
    pool.query<VenueRow>("SELECT id, name, kind, config, enabled FROM venue WHERE enabled ORDER BY id"),
  ]);
  return {
    instruments: new Map(
      instruments.rows.map((r) => [
        r.symbol,
        { symbol: r.symbol, name: r.name, tickSize: r.tick_size, lotSize: r.lot_size, tradable: r.tradable, refPrice: r.ref_price },
      ]),
    ),
    accounts: new Map(accounts.rows.map((r) => [r.id, r.name])),
    venues: venues.rows,
  };
}
