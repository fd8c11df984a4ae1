-- Up Migration

CREATE TABLE auth_user (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  "emailVerified" boolean NOT NULL DEFAULT false,
  image text,
  "createdAt" timestamptz NOT NULL DEFAULT now(),
  "updatedAt" timestamptz NOT NULL DEFAULT now(),
  role text NOT NULL DEFAULT 'trader'
);

CREATE TABLE auth_session (
  id text PRIMARY KEY,
  "expiresAt" timestamptz NOT NULL,
  token text NOT NULL UNIQUE,
  "createdAt" timestamptz NOT NULL DEFAULT now(),
  "updatedAt" timestamptz NOT NULL DEFAULT now(),
  "ipAddress" text,
  "userAgent" text,
  "userId" text NOT NULL REFERENCES auth_user(id) ON DELETE CASCADE
);
CREATE INDEX auth_session_user_id_idx ON auth_session ("userId");

CREATE TABLE auth_account (
  id text PRIMARY KEY,
  "accountId" text NOT NULL,
  "providerId" text NOT NULL,
  "userId" text NOT NULL REFERENCES auth_user(id) ON DELETE CASCADE,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  scope text,
  password text,
  "createdAt" timestamptz NOT NULL DEFAULT now(),
  "updatedAt" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_account_user_id_idx ON auth_account ("userId");

CREATE TABLE auth_verification (
  id text PRIMARY KEY,
  identifier text NOT NULL,
  value text NOT NULL,
  "expiresAt" timestamptz NOT NULL,
  "createdAt" timestamptz NOT NULL DEFAULT now(),
  "updatedAt" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_verification_identifier_idx ON auth_verification (identifier);

CREATE TABLE trading_account (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz DEFAULT now()
);

CREATE TABLE instrument (
  symbol text PRIMARY KEY,
  name text NOT NULL,
  tick_size numeric NOT NULL,
  lot_size numeric NOT NULL,
  tradable boolean NOT NULL DEFAULT true,
  ref_price numeric NOT NULL
);

CREATE TABLE venue (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sim', 'fix', 'osengine')),
  config jsonb NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true
);

CREATE TABLE journal (
  seq bigint PRIMARY KEY,
  ts timestamptz NOT NULL,
  type text NOT NULL,
  order_id text,
  account_id text,
  actor text,
  payload jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX journal_order_id_idx ON journal (order_id);
CREATE INDEX journal_type_idx ON journal (type);
CREATE INDEX journal_ts_idx ON journal (ts);

CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'journal is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER journal_no_update_delete BEFORE UPDATE OR DELETE ON journal
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
  FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();

CREATE TABLE orders (
  id text PRIMARY KEY,
  cl_ord_id text NOT NULL,
  account_id text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL,
  ord_type text NOT NULL,
  time_in_force text NOT NULL,
  order_qty numeric NOT NULL,
  price numeric,
  stop_px numeric,
  ord_status text NOT NULL,
  cum_qty numeric NOT NULL,
  leaves_qty numeric NOT NULL,
  avg_px numeric NOT NULL DEFAULT 0,
  venue_id text,
  strategy text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_seq bigint NOT NULL,
  UNIQUE (account_id, cl_ord_id)
);
CREATE INDEX orders_ord_status_idx ON orders (ord_status);
CREATE INDEX orders_symbol_idx ON orders (symbol);
CREATE INDEX orders_created_at_idx ON orders (created_at DESC);

CREATE TABLE fill (
  exec_id text PRIMARY KEY,
  order_id text NOT NULL,
  venue_id text NOT NULL,
  last_qty numeric NOT NULL,
  last_px numeric NOT NULL,
  ts timestamptz NOT NULL
);
CREATE INDEX fill_order_id_idx ON fill (order_id);

-- Down Migration

DROP TABLE fill;
DROP TABLE orders;
DROP TABLE journal;
DROP FUNCTION journal_append_only();
DROP TABLE venue;
DROP TABLE instrument;
DROP TABLE trading_account;
DROP TABLE auth_verification;
DROP TABLE auth_account;
DROP TABLE auth_session;
DROP TABLE auth_user;
