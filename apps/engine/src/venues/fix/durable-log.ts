import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * An append-only file of JSON lines, each line written and fdatasync'd before `append` returns, so
 * what it holds survives a crash of the process or the machine. A torn last line is ignored on read.
 */
export class DurableLog<T> {
  private fd: number | undefined;

  constructor(readonly file: string) {}

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

  append(record: T): void {
    if (this.fd === undefined) throw new Error(`${this.file} is not open`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
