import { spawn } from "node:child_process";

// bzip2 for CAT files (CAT takes order-event files bzip2-compressed), through the system `bzip2`
// binary (bzip2 1.0.x, the reference implementation) as a child process: the content is streamed to
// its stdin and the compressed bytes read from its stdout. No maintained npm library compresses
// bzip2 (compressjs was last released in 2015; seek-bzip and unbzip2-stream only decompress), and
// Node's zlib has no bzip2. Block size 900 k (-9, bzip2's default): the same input always gives the
// same bytes, so a file's SHA-256 is reproducible.

/** The binary; FILLMORE_BZIP2 names another (an absolute path) where `bzip2` is not on PATH. */
const binary = () => process.env.FILLMORE_BZIP2 || "bzip2";

function run(args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary(), args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new Error(`${binary()} not found: install bzip2 (or set FILLMORE_BZIP2) to write CAT files`) : e),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${binary()} ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    // A child that dies early closes stdin: its exit code says why, not EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/** The content bzip2-compressed (-9). */
export const bzip2 = (content: Buffer) => run(["-c", "-9"], content);

/** A bzip2 stream decompressed (tests, and anyone checking a file). */
export const bunzip2 = (compressed: Buffer) => run(["-d", "-c"], compressed);
