-- Up Migration

-- Reference data administered at runtime (apps/engine/src/reference/): an instrument's quote currency and
-- trading hours ({"open":"HH:MM","close":"HH:MM","days":[1..5]}, UTC; NULL = always open), and when each
-- venue, instrument and account row last changed. Who changed it and why is in the journal
-- (ReferenceDataChanged events), not here.
ALTER TABLE instrument ADD COLUMN currency text NOT NULL DEFAULT 'USD',
  ADD COLUMN trading_hours jsonb,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE venue ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE trading_account ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Down Migration

ALTER TABLE trading_account DROP COLUMN updated_at;
ALTER TABLE venue DROP COLUMN updated_at;
ALTER TABLE instrument DROP COLUMN updated_at, DROP COLUMN trading_hours, DROP COLUMN currency;
