import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "fillmore_engine_" });
  return {
    registry,
    eventsJournaled: new Counter({ name: "fillmore_journal_events_total", help: "Events committed to the journal", registers: [registry] }),
    journalBatch: new Histogram({
      name: "fillmore_journal_batch_size",
      help: "Events per group commit",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    journalCommitSeconds: new Histogram({
      name: "fillmore_journal_commit_seconds",
      help: "Time to commit one batch",
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    journalWriteSeconds: new Histogram({
      name: "fillmore_journal_write_seconds",
      help: "Time the journal writer's thread spent on one batch (chaining it, the statement, the commit); the rest of fillmore_journal_commit_seconds is waiting for the threads",
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    ordersByType: new Counter({
      name: "fillmore_order_events_total",
      help: "Order events by type",
      labelNames: ["type"],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
