-- Up Migration

-- Per-order execution metrics (apps/engine/src/quality/projection.ts): one row per order, computed by the
-- engine's quality component from the order's journaled events (computeOrderMetrics) after they commit,
-- and rebuilt from the journal (checkpoint below). The console's Execution quality page and the quality.*
-- tRPC procedures aggregate it with indexed queries; nothing here is a source of truth.
-- Money and prices are exact numerics; latencies and per-order bps are double precision (statistics).
CREATE TABLE execution_metrics (
  order_id text PRIMARY KEY,
  account_id text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL CHECK (side IN ('Buy', 'Sell')),
  order_type text NOT NULL,
  venue text NOT NULL,
  strategy text,
  status text NOT NULL,
  -- Rule 605 notional size bucket of the order (order qty x arrival mid, or limit price): see size_bucket in projection.ts.
  size_bucket text NOT NULL,
  received_at timestamptz NOT NULL,
  submitted_at timestamptz,
  first_fill_at timestamptz,
  completed_at timestamptz,
  sent boolean NOT NULL,
  rejected boolean NOT NULL,
  denied boolean NOT NULL,
  cancelled_unfilled boolean NOT NULL,
  fully_filled boolean NOT NULL,
  order_qty numeric NOT NULL,
  filled_qty numeric NOT NULL,
  -- sum of fill qty x price
  notional numeric NOT NULL,
  order_notional numeric,
  arrival_mid numeric,
  avg_px numeric,
  -- H2 ack latency and time to first fill, ms (monotonic).
  latency_ms double precision,
  first_fill_ms double precision,
  -- Arrival slippage: s(notional - Q*M0) ($, + cost) over Q*M0, and the order's own bps.
  slippage_cost numeric,
  slippage_bench numeric,
  slippage_bps double precision,
  effective_spread_bps double precision,
  -- Markouts: sum of q*s(mid(t+h) - p) per horizon ($, + favourable); null until every fill is sampled.
  markout_1s numeric,
  markout_5s numeric,
  markout_60s numeric,
  fees numeric NOT NULL,
  updated_seq bigint NOT NULL
);
CREATE INDEX execution_metrics_received_idx ON execution_metrics (received_at);
CREATE INDEX execution_metrics_venue_idx ON execution_metrics (venue, received_at);
CREATE INDEX execution_metrics_symbol_idx ON execution_metrics (symbol, received_at);
CREATE INDEX execution_metrics_strategy_idx ON execution_metrics (strategy, received_at);
CREATE INDEX execution_metrics_submitted_idx ON execution_metrics (submitted_at) WHERE submitted_at IS NOT NULL;

-- How far the projection has read the journal (one row).
CREATE TABLE execution_metrics_checkpoint (
  id integer PRIMARY KEY CHECK (id = 1),
  last_seq bigint NOT NULL
);
INSERT INTO execution_metrics_checkpoint (id, last_seq) VALUES (1, 0);

-- Alert rules over the aggregates, set by the risk role in the console (quality.setAlertRule); the
-- engine's quality monitor reads them on every evaluation and raises/clears through the alert centre.
CREATE TABLE console_quality_alert_rule (
  id text PRIMARY KEY,
  metric text NOT NULL CHECK (metric IN ('ackLatencyP99Ms', 'rejectRatePct', 'slippageBps')),
  venue text,
  threshold double precision NOT NULL,
  clear_below double precision NOT NULL,
  window_ms integer NOT NULL,
  min_orders integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE console_quality_alert_rule;
DROP TABLE execution_metrics_checkpoint;
DROP TABLE execution_metrics;
