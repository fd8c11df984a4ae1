import net from "node:net";
import { encode, type Field, FixFramer, type FixMessage, utcTimestamp } from "../../src/venues/fix/codec";

/** A scripted FIX acceptor on loopback: records what it gets, sends what the test says. */
export async function fakePeer() {
  const received: FixMessage[] = [];
  let socket: net.Socket | undefined;
  let connections = 0;
  const server = net.createServer((s) => {
    connections += 1;
    socket = s;
    const framer = new FixFramer();
    s.on("data", (chunk) => received.push(...framer.push(chunk)));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    connections: () => connections,
    of: (msgType: string) => received.filter((m) => m.msgType === msgType),
    send(msgType: string, seq: number, body: Field[] = [], header: Field[] = []) {
      socket?.write(
        encode("FIX.4.4", [[35, msgType], [49, "PEER"], [56, "US"], [34, String(seq)], ...header, [52, utcTimestamp()], ...body]),
        "latin1",
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket?.destroy();
        server.close(() => resolve());
      }),
  };
}
