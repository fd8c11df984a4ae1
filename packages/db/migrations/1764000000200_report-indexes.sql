-- Up Migration

-- Trade reports and fill exports (apps/web/src/server/reports/trade-report.ts) walk the booked fills in
-- journal order with keyset paging (seq > cursor ORDER BY seq LIMIT n).
CREATE INDEX fill_booked_seq_idx ON fill (seq) WHERE NOT parent_copy AND NOT busted;
-- Order history (server-side paging and sorting) by creation time and by last change.
CREATE INDEX orders_created_at_id_idx ON orders (created_at, id);
CREATE INDEX orders_updated_at_id_idx ON orders (updated_at, id);

-- Down Migration

DROP INDEX orders_updated_at_id_idx;
DROP INDEX orders_created_at_id_idx;
DROP INDEX fill_booked_seq_idx;
