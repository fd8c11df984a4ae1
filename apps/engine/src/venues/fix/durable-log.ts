import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * An append-only file of JSON lines. `append` writes at once; with `sync` it also fdatasyncs
 * before returning, otherwise the fdatasync follows within the same turn of the event loop
 * (setImmediate), covering every line written before it. A torn last line is ignored on read.
 */
export class DurableLog<T> {
  private fd: number | undefined;
  private syncPending = false;

  constructor(
    readonly file: string,
    /** "os": write() only, survives a crash of the process but not of the machine. */
    private readonly durability: "fsync" | "os" = "fsync",
  ) {}

  /** Reads every complete record, then opens the file for appending. */
  open(): T[] {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const records: T[] = [];
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, "utf8").split("\n")) {
        if (!line) continue;
        try {
          records.push(JSON.parse(line) as T);
        } catch {
          // a line torn by a crash mid-write: everything before it is whole
        }
      }
    }
    this.fd = openSync(this.file, "a");
    return records;
  }

  append(records: readonly T[], sync: boolean): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`${this.file} is not open`);
    if (records.length === 0) return;
    writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    if (this.durability === "os") return;
    if (sync) {
      fdatasyncSync(fd);
      this.syncPending = false;
    } else if (!this.syncPending) {
      this.syncPending = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    if (!this.syncPending || this.fd === undefined) return;
    this.syncPending = false;
    fdatasyncSync(this.fd);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
