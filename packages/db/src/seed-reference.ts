import type pg from "pg";

const INSTRUMENTS = [
  ["AAPL", "Apple Inc.", "0.01", "1", "189.50"],
  ["MSFT", "Microsoft Corp.", "0.01", "1", "415.20"],
  ["NVDA", "NVIDIA Corp.", "0.01", "1", "121.75"],
  ["TSLA", "Tesla Inc.", "0.01", "1", "244.10"],
  ["SPY", "SPDR S&P 500 ETF", "0.01", "1", "571.30"],
  ["EURUSD", "Euro / US Dollar", "0.00001", "1000", "1.08425"],
] as const;

const ACCOUNTS = [
  ["ACC-ALPHA", "Alpha Fund"],
  ["ACC-BETA", "Beta Macro"],
  ["ACC-GAMMA", "Gamma Prop Desk"],
] as const;

/**
 * `fees`: the schedule fills are charged by when the venue reports no commission of its own
 * (apps/engine/src/positions/fees.ts): per share, bps of notional, minimum per order, maker/taker rates.
 * `feeBps` is what the router scores venues by. `depth` (shares per price level) is what the router splits by and
 * what the simulator's fills honour; `slippageBps`: how much worse than its level a taking fill may land.
 */
const VENUES = [
  [
    "SIM-FAST",
    "Simulated venue: fast, thin, dear",
    {
      latencyMs: 2,
      jitterMs: 2,
      partialFillRate: 0.5,
      feeBps: 3,
      slippageBps: 0.5,
      depth: 300,
      fees: { currency: "USD", perShare: "0.003", minimumPerOrder: "1.00", maker: { perShare: "0.002" }, taker: { perShare: "0.003" } },
    },
  ],
  [
    "SIM-DEEP",
    "Simulated venue: slower, deep, cheap",
    {
      latencyMs: 15,
      jitterMs: 10,
      partialFillRate: 0.1,
      feeBps: 0.5,
      slippageBps: 0.2,
      depth: 2000,
      fees: { currency: "USD", bps: "0.5", minimumPerOrder: "0.50", maker: { bps: "0.2" }, taker: { bps: "0.5" } },
    },
  ],
  [
    "SIM-CHEAP",
    "Simulated venue: noisy, rejects some",
    {
      latencyMs: 8,
      jitterMs: 20,
      partialFillRate: 0.3,
      feeBps: 1,
      slippageBps: 1.5,
      rejectRate: 0.03,
      depth: 700,
      fees: { currency: "USD", perShare: "0.001", bps: "0.5", minimumPerOrder: "0.35" },
    },
  ],
] as const;

/** Reference data every installation needs to trade the demo: instruments, accounts, simulated venues. */
export async function seedReference(pool: pg.Pool): Promise<void> {
  for (const [symbol, name, tick, lot, ref] of INSTRUMENTS) {
    await pool.query(
      "INSERT INTO instrument (symbol, name, tick_size, lot_size, ref_price) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (symbol) DO NOTHING",
      [symbol, name, tick, lot, ref],
    );
  }
  for (const [id, name] of ACCOUNTS) {
    await pool.query("INSERT INTO trading_account (id, name) VALUES ($1,$2) ON CONFLICT (id) DO NOTHING", [id, name]);
  }
  for (const [id, name, config] of VENUES) {
    // Settings added since a venue was first seeded (e.g. `depth`) are filled in; existing ones are kept.
    await pool.query(
      "INSERT INTO venue (id, name, kind, config) VALUES ($1,$2,'sim',$3) ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config || venue.config",
      [id, name, config],
    );
  }
}
