-- Up Migration

-- Audit search (apps/web/src/server/routers/audit.ts): every filter is answered newest first by seq with
-- keyset paging (seq < cursor ORDER BY seq DESC LIMIT n), so each filter gets an index ending in seq.
-- The single-column order_id/type/ts indexes of the init migration stay (schema.prisma names them).
CREATE INDEX journal_order_id_seq_idx ON journal (order_id, seq);
CREATE INDEX journal_actor_seq_idx ON journal (actor, seq);
CREATE INDEX journal_account_id_seq_idx ON journal (account_id, seq);
CREATE INDEX journal_type_seq_idx ON journal (type, seq);

-- Payload fields, through jsonb operators: the order's client id, strategy and symbol are in its
-- OrderReceived event; the venue's order id in OrderSubmitted/OrderAccepted; system events about a
-- symbol (breakers, position adjustments, kill-switch flattening) carry data.symbol.
CREATE INDEX journal_cl_ord_id_idx ON journal ((payload -> 'data' -> 'order' ->> 'clOrdId')) WHERE type = 'OrderReceived';
CREATE INDEX journal_strategy_idx ON journal ((payload -> 'data' -> 'order' ->> 'strategy')) WHERE type = 'OrderReceived';
CREATE INDEX journal_order_symbol_idx ON journal ((payload -> 'data' -> 'order' ->> 'symbol')) WHERE type = 'OrderReceived';
CREATE INDEX journal_venue_order_id_idx ON journal ((payload -> 'data' ->> 'venueOrderId'))
  WHERE type IN ('OrderSubmitted', 'OrderAccepted');
CREATE INDEX journal_data_symbol_idx ON journal ((payload -> 'data' ->> 'symbol')) WHERE payload -> 'data' ? 'symbol';

-- Down Migration

DROP INDEX journal_data_symbol_idx;
DROP INDEX journal_venue_order_id_idx;
DROP INDEX journal_order_symbol_idx;
DROP INDEX journal_strategy_idx;
DROP INDEX journal_cl_ord_id_idx;
DROP INDEX journal_type_seq_idx;
DROP INDEX journal_account_id_seq_idx;
DROP INDEX journal_actor_seq_idx;
DROP INDEX journal_order_id_seq_idx;
