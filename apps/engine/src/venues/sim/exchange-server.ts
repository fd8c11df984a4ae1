import net from "node:net";
import type { VenueReport } from "../adapter";
import type { SimVenue } from "./sim-venue";
import { type ExchangeMessage, type ExchangeRequest, lineReader } from "./wire";

/**
 * The simulated venues as a process of their own, so they outlive an engine crash the way a real
 * exchange would. Reports go to whichever engine connection is current; the engine reconciles
 * what it missed with `status` requests.
 */
export function createExchangeServer(venues: ReadonlyMap<string, SimVenue>): net.Server {
  const current = new Map<string, net.Socket>();
  const write = (socket: net.Socket | undefined, message: ExchangeMessage) => {
    if (socket && !socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  for (const [name, venue] of venues) {
    venue.onReport((report: VenueReport) => write(current.get(name), { push: "report", venue: name, report }));
  }

  return net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      for (const [name, s] of current) if (s === socket) current.delete(name);
    });
    socket.on(
      "data",
      lineReader((value) => {
        const request = value as ExchangeRequest;
        if (request.op === "hello") current.set(request.venue, socket);
        void answer(venues, request).then((message) => write(socket, message));
      }),
    );
  });
}

async function answer(venues: ReadonlyMap<string, SimVenue>, request: ExchangeRequest): Promise<ExchangeMessage> {
  const venue = venues.get(request.venue);
  if (!venue) return { id: request.id, ok: false, error: `no venue ${request.venue}` };
  switch (request.op) {
    case "hello":
      return { id: request.id, ok: true };
    case "submit":
      await venue.submitOrder(request.order);
      return { id: request.id, ok: true };
    case "cancel":
      await venue.cancelOrder(request.order);
      return { id: request.id, ok: true };
    case "modify":
      await venue.modifyOrder(request.order, request.changes);
      return { id: request.id, ok: true };
    case "status":
      return { id: request.id, ok: true, result: await venue.getOrderStatus(request.orderId) };
    case "recover":
      return { id: request.id, ok: true, result: await venue.recoverOrders(request.range) };
    case "positions":
      return { id: request.id, ok: true, result: await venue.getPositions(request.accountId) };
    case "inject": {
      const i = request.inject;
      const execId = i.kind === "external" ? venue.injectExternalTrade(i) : venue.injectSilentFill(i.orderId, i.qty, i.px);
      return { id: request.id, ok: true, result: execId };
    }
    case "stats": {
      const known = venue.knownOrderIds();
      return { id: request.id, ok: true, result: { known, resent: known.filter((id) => venue.submissionsOf(id) > 1) } };
    }
  }
}
