-- Up Migration

-- The fill read model says whose fill it is, what it cost and whether it still counts, so SQL over it is
-- correct: a split parent's copies of its children's fills are flagged (parent_copy), a busted fill is
-- kept and flagged (busted), a corrected one holds the corrected qty/px with the original kept.
-- Booked fills: WHERE NOT parent_copy AND NOT busted.
ALTER TABLE fill
  ADD COLUMN account_id text,
  ADD COLUMN strategy text,
  ADD COLUMN symbol text,
  ADD COLUMN side text,
  ADD COLUMN fees numeric NOT NULL DEFAULT 0,
  ADD COLUMN currency text,
  ADD COLUMN fee_lines jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN liquidity text CHECK (liquidity IN ('maker', 'taker')),
  ADD COLUMN parent_copy boolean NOT NULL DEFAULT false,
  ADD COLUMN child_order_id text,
  ADD COLUMN busted boolean NOT NULL DEFAULT false,
  ADD COLUMN busted_seq bigint,
  ADD COLUMN corrected boolean NOT NULL DEFAULT false,
  ADD COLUMN orig_qty numeric,
  ADD COLUMN orig_px numeric,
  ADD COLUMN corrected_seq bigint,
  ADD COLUMN seq bigint;
CREATE INDEX fill_account_symbol_idx ON fill (account_id, symbol);

-- Fills projected before this migration get their order's account, strategy, symbol and side.
UPDATE fill SET account_id = o.account_id, strategy = o.strategy, symbol = o.symbol, side = o.side
  FROM orders o WHERE o.id = fill.order_id;

-- Positions per account x strategy x instrument, as the engine's live book has them (written after each
-- commit, rewritten whole at every engine start from the journal's replay). Money in the instrument's
-- quote currency (currency) unless named _usd.
CREATE TABLE position (
  id text PRIMARY KEY,
  account_id text NOT NULL,
  strategy text,
  symbol text NOT NULL,
  currency text NOT NULL,
  qty numeric NOT NULL,
  avg_px numeric NOT NULL,
  cost numeric NOT NULL,
  realized_avg_cost numeric NOT NULL,
  realized_fifo numeric NOT NULL,
  fees numeric NOT NULL,
  fees_by_currency jsonb NOT NULL DEFAULT '{}'::jsonb,
  realized_usd_avg_cost numeric NOT NULL,
  realized_usd_fifo numeric NOT NULL,
  fees_usd numeric NOT NULL,
  mark_px numeric,
  mark_source text,
  mark_ts timestamptz,
  unrealized_avg_cost numeric,
  unrealized_fifo numeric,
  unrealized_usd_avg_cost numeric,
  unrealized_usd_fifo numeric,
  fill_count integer NOT NULL,
  last_fill_ts timestamptz,
  updated_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX position_key_idx ON position (account_id, coalesce(strategy, ''), symbol);

-- Down Migration

DROP TABLE position;
DROP INDEX fill_account_symbol_idx;
ALTER TABLE fill
  DROP COLUMN account_id, DROP COLUMN strategy, DROP COLUMN symbol, DROP COLUMN side, DROP COLUMN fees,
  DROP COLUMN currency, DROP COLUMN fee_lines, DROP COLUMN liquidity, DROP COLUMN parent_copy,
  DROP COLUMN child_order_id, DROP COLUMN busted, DROP COLUMN busted_seq, DROP COLUMN corrected,
  DROP COLUMN orig_qty, DROP COLUMN orig_px, DROP COLUMN corrected_seq, DROP COLUMN seq;
