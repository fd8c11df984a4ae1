import type { Writable } from "node:stream";

/**
 * Writes to `stream`, corked until the end of the tick: what is written in one tick (one commit's
 * events or answers) leaves in one write, not one syscall each.
 */
export function tickWrites(stream: Pick<Writable, "cork" | "uncork" | "write">): (text: string) => void {
  let corked = false;
  return (text) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(() => {
        corked = false;
        stream.uncork();
      });
    }
    stream.write(text);
  };
}
