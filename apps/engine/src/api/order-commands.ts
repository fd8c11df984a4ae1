import { cancelOrderInput, modifyOrderInput, submitOrderInput } from "@fillmore/shared";
import { z } from "zod";
import type { OrderManager } from "../orders/order-manager";
import { parse } from "./input";

/**
 * The order commands a caller sends most (submit, cancel, modify) and their answers, whatever carries
 * them: a request each (http-server.ts) or the console's order channel (order-channel.ts).
 */
export type OrderCommand = "submit" | "cancel" | "modify";

export const actorSchema = z.string().min(1).max(128);
const submitBody = z.object({ actor: actorSchema, order: submitOrderInput }).strict();
const cancelBody = z.object({ actor: actorSchema }).strict().and(cancelOrderInput);
const modifyBody = z.object({ actor: actorSchema }).and(modifyOrderInput);

export interface CommandAnswer {
  status: number;
  body: unknown;
}

/** Runs one command; `body` is the request's JSON (with `orderId` for cancel and modify). Refusals throw CommandError. */
export async function runOrderCommand(orders: OrderManager, command: OrderCommand, body: unknown): Promise<CommandAnswer> {
  switch (command) {
    case "submit": {
      const input = parse(submitBody, body);
      const result = await orders.submit(input.order, input.actor);
      return { status: result.duplicate ? 200 : 201, body: result };
    }
    case "cancel": {
      const input = parse(cancelBody, body);
      return { status: 200, body: { order: await orders.cancel(input.orderId, input.actor) } };
    }
    case "modify": {
      const { actor, ...changes } = parse(modifyBody, body);
      return { status: 200, body: { order: await orders.modify(changes, actor) } };
    }
  }
}
