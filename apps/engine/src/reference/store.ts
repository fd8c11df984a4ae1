import type { TradingHours } from "@fillmore/shared";
import type pg from "pg";

/** A venue row as stored (every row, enabled or not). */
export interface StoredVenue {
  id: string;
  name: string;
  kind: "sim" | "fix" | "osengine";
  config: Record<string, unknown>;
  enabled: boolean;
}

export interface StoredInstrument {
  symbol: string;
  name: string;
  currency: string;
  tickSize: string;
  lotSize: string;
  refPrice: string;
  tradable: boolean;
  tradingHours: TradingHours | null;
}

export interface StoredAccount {
  id: string;
  name: string;
}

/** The reference tables, read and written by the reference service only (the engine is their one writer at runtime). */
export class ReferenceStore {
  constructor(private readonly pool: pg.Pool) {}

  async venues(): Promise<StoredVenue[]> {
    return (await this.pool.query<StoredVenue>("SELECT id, name, kind, config, enabled FROM venue ORDER BY id")).rows;
  }

  async venue(id: string): Promise<StoredVenue | undefined> {
    return (await this.pool.query<StoredVenue>("SELECT id, name, kind, config, enabled FROM venue WHERE id = $1", [id])).rows[0];
  }

  async saveVenue(v: StoredVenue): Promise<void> {
    await this.pool.query(
      `INSERT INTO venue (id, name, kind, config, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, config = EXCLUDED.config,
         enabled = EXCLUDED.enabled, updated_at = now()`,
      [v.id, v.name, v.kind, JSON.stringify(v.config), v.enabled],
    );
  }

  async instruments(): Promise<StoredInstrument[]> {
    const { rows } = await this.pool.query<StoredInstrument>(
      `SELECT symbol, name, currency, tick_size::text AS "tickSize", lot_size::text AS "lotSize", ref_price::text AS "refPrice",
              tradable, trading_hours AS "tradingHours"
         FROM instrument ORDER BY symbol`,
    );
    return rows;
  }

  async saveInstrument(i: StoredInstrument): Promise<void> {
    await this.pool.query(
      `INSERT INTO instrument (symbol, name, currency, tick_size, lot_size, ref_price, tradable, trading_hours, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name, currency = EXCLUDED.currency, tick_size = EXCLUDED.tick_size,
         lot_size = EXCLUDED.lot_size, ref_price = EXCLUDED.ref_price, tradable = EXCLUDED.tradable,
         trading_hours = EXCLUDED.trading_hours, updated_at = now()`,
      [
        i.symbol,
        i.name,
        i.currency,
        i.tickSize,
        i.lotSize,
        i.refPrice,
        i.tradable,
        i.tradingHours === null ? null : JSON.stringify(i.tradingHours),
      ],
    );
  }

  async accounts(): Promise<StoredAccount[]> {
    return (await this.pool.query<StoredAccount>("SELECT id, name FROM trading_account ORDER BY id")).rows;
  }

  async saveAccount(a: StoredAccount): Promise<void> {
    await this.pool.query(
      `INSERT INTO trading_account (id, name, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()`,
      [a.id, a.name],
    );
  }
}
