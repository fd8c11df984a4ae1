// A simulated exchange as its own process: EXCHANGE_PORT, DATABASE_URL (for instruments and venues).
import type { AddressInfo } from "node:net";
import pg from "pg";
import { RandomWalkFeed } from "../../marketdata/quotes";
import { loadReference } from "../../reference";
import { createSimVenue, type SimVenueConfig } from "../registry";
import { createExchangeServer } from "./exchange-server";
import type { SimVenue } from "./sim-venue";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const reference = await loadReference(pool);
await pool.end();
const feed = new RandomWalkFeed([...reference.instruments.values()], Number(process.env.SIM_TICK_MS ?? 100), 7);
const venues = new Map<string, SimVenue>();
for (const row of reference.venues.filter((v) => v.kind === "sim")) {
  const venue = createSimVenue(
    row.id,
    { ...(row.config as SimVenueConfig), remote: undefined },
    {
      feed,
      lotSize: (s) => reference.instruments.get(s)?.lotSize ?? "1",
      defaultLatencyMs: 1,
    },
  );
  await venue.connect();
  venues.set(row.id, venue);
}
const server = createExchangeServer(venues);
server.listen(Number(process.env.EXCHANGE_PORT ?? 0), "127.0.0.1", () => {
  feed.start();
  console.log(JSON.stringify({ exchange: "ready", port: (server.address() as AddressInfo).port, venues: [...venues.keys()] }));
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
