import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { tickWrites } from "./tick-writes";

function recorder() {
  const stream = new PassThrough();
  const writes: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    writes.push(chunk);
    return write(chunk);
  }) as typeof stream.write;
  return { stream, writes };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe("tickWrites", () => {
  it("sends what one tick wrote as one write, in order, and the next tick's as another", async () => {
    const { stream, writes } = recorder();
    const writer = tickWrites(stream);
    writer.write("a\n");
    writer.write("b\n");
    writer.write("c\n");
    expect(writes).toEqual([]);
    await nextTick();
    expect(writes).toEqual(["a\nb\nc\n"]);
    writer.write("d\n");
    await nextTick();
    expect(writes).toEqual(["a\nb\nc\n", "d\n"]);
    expect(String(stream.read())).toBe("a\nb\nc\nd\n");
  });

  it("end() sends what is pending before it ends the stream", async () => {
    const { stream, writes } = recorder();
    const writer = tickWrites(stream);
    writer.write("last words\n");
    writer.end();
    expect(writes).toEqual(["last words\n"]);
    expect(stream.writableEnded).toBe(true);
    await nextTick();
    expect(writes).toEqual(["last words\n"]);
  });

  it("drops what was written in the tick the peer went away in", async () => {
    const { stream, writes } = recorder();
    tickWrites(stream).write("late\n");
    stream.destroy();
    await nextTick();
    expect(writes).toEqual([]);
  });
});
