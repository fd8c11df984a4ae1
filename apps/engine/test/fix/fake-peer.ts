import net from "node:net";
import type { VenueReport } from "../../src/venues/adapter";
import { encode, type Field, FixFramer, type FixMessage, Tag, utcTimestamp } from "../../src/venues/fix/codec";
import { FixVenue } from "../../src/venues/fix/fix-venue";
import type { VenueAlert } from "../../src/venues/venue-alert";
import { tempDir, until } from "./helpers";

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

const scripted: (() => Promise<void>)[] = [];

/** Closes every venue and peer `scriptedVenue` made (call in afterEach). */
export async function closeScripted(): Promise<void> {
  for (const close of scripted.splice(0)) await close();
}

/** A FIX 4.4 venue logged on to a scripted peer; `er` sends the peer's next ExecutionReport for venue order V1. */
export async function scriptedVenue() {
  const peer = await fakePeer();
  const venue = new FixVenue("SCRIPTED", {
    host: "127.0.0.1",
    port: peer.port,
    beginString: "FIX.4.4",
    senderCompId: "US",
    targetCompId: "PEER",
    heartBtInt: 30,
    storeDir: tempDir("fix-scripted-"),
    statusTimeoutMs: 2000,
  });
  const reports: VenueReport[] = [];
  const alerts: VenueAlert[] = [];
  venue.onReport((r) => reports.push(r));
  venue.onAlert((a) => alerts.push(a));
  const connected = venue.connect();
  await until(
    () => peer.of("A").length > 0,
    () => "no logon",
  );
  peer.send("A", 1, [
    [98, "0"],
    [108, "30"],
  ]);
  await connected;
  let seq = 2;
  const er = (fields: Field[]) => peer.send("8", seq++, [[Tag.OrderID, "V1"], ...fields]);
  scripted.push(async () => {
    venue.session.dropConnection();
    await venue.disconnect();
    await peer.close();
  });
  return { peer, venue, reports, alerts, er, nextSeq: () => seq };
}
