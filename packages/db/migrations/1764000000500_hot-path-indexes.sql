-- Up Migration

-- Fewer indexes for every journal row and every order update to maintain (docs/PERFORMANCE.md, sixth
-- session): the single-column journal indexes of the init migration are prefixes of the audit search's
-- (order_id, seq) and (type, seq), and orders (created_at DESC) is (created_at, id) read backwards.
DROP INDEX journal_order_id_idx;
DROP INDEX journal_type_idx;
DROP INDEX orders_created_at_idx;

-- Down Migration

CREATE INDEX orders_created_at_idx ON orders (created_at DESC);
CREATE INDEX journal_type_idx ON journal (type);
CREATE INDEX journal_order_id_idx ON journal (order_id);
