import type pg from "pg";
import type { Logger } from "../log";
import type { JournalEntry } from "./journal";
import { projectionStatements } from "./projection";

/**
 * Keeps the `orders` and `fill` read model up to date from committed journal entries, in batches,
 * after the commit rather than inside it: nothing waits on it, and a failure delays the read model
 * (retried) without ever holding up the journal. Replay rebuilds whatever a crash left behind.
 */
export class Projector {
  private queue: JournalEntry[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly maxBatch = 2000,
    /**
     * The least time between two writes: what arrives meanwhile goes in the next one. Under load one
     * statement per commit (every few ms) cost Postgres and the engine more than the rows themselves.
     */
    private readonly minIntervalMs = 50,
  ) {}

  enqueue(entries: readonly JournalEntry[]): void {
    // A loop, not push(...entries): a replay hands over every unprojected event at once, and spreading
    // some 120,000 arguments overflows the stack.
    for (const entry of entries) this.queue.push(entry);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once everything enqueued so far is written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One statement as is (the usual batch); several (busts, corrections) in one transaction. */
  private async write(statements: readonly { text: string; values: unknown[] }[]): Promise<void> {
    if (statements.length === 0) return;
    if (statements.length === 1) {
      const [only] = statements;
      if (only) await this.pool.query(only.text, only.values);
      return;
    }
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      for (const s of statements) await client.query(s.text, s.values);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async drain(): Promise<void> {
    let backoffMs = 10;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      const statements = projectionStatements(batch);
      try {
        await this.write(statements);
        this.queue.splice(0, batch.length);
        backoffMs = 10;
        if (this.minIntervalMs > 0) await new Promise((r) => setTimeout(r, this.minIntervalMs));
      } catch (error) {
        this.log.error({ err: error, batch: batch.length }, "read model update failed; retrying");
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }
}
