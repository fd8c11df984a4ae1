import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";

// The QuickFIX example acceptors from Debian's libquickfix-doc, shipped gzip-compressed.
const EXAMPLES = "/usr/share/doc/libquickfix-doc/examples";
const BINARIES = { executor: `${EXAMPLES}/executor/C++/.libs/executor.gz`, ordermatch: `${EXAMPLES}/ordermatch/.libs/ordermatch.gz` };
export type Program = keyof typeof BINARIES;

export function programAvailable(program: Program): boolean {
  return existsSync(BINARIES[program]);
}

/** The unpacked, executable program (unpacked once per machine). */
export function binary(program: Program): string {
  const dir = path.join(os.tmpdir(), "fillmore-quickfix-bin");
  const file = path.join(dir, program);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}`;
    writeFileSync(temp, gunzipSync(readFileSync(BINARIES[program])), { mode: 0o755 });
    renameSync(temp, file);
  }
  return file;
}

/** A QuickFIX acceptor settings file: one session per client CompID, file store, Nagle off. */
export function acceptorSettings(options: {
  port: number;
  storeDir: string;
  beginString: string;
  senderCompId: string;
  clients: readonly string[];
}): string {
  const sessions = options.clients
    .map((c) => `[SESSION]\nBeginString=${options.beginString}\nSenderCompID=${options.senderCompId}\nTargetCompID=${c}\n`)
    .join("");
  return `[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=${options.port}\nSocketReuseAddress=Y\nSocketNodelay=Y\nFileStorePath=${options.storeDir}\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n${sessions}`;
}
