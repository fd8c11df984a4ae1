import { newOrder } from "./orders/new-order";
import type { Order } from "./orders/order";
import { type SubmitOrderInput, submitOrderInput } from "./orders/schemas";

/**
 * For tests: an order as the engine builds it on receipt, from input that passed the real schema.
 * Defaults to a limit buy of 100 AAPL at 189.50 for ACC-ALPHA; a type without a limit price drops it.
 */
export function orderFrom(input: Partial<SubmitOrderInput> = {}, ids: { orderId?: string; actor?: string; now?: string } = {}): Order {
  const ordType = input.ordType ?? "Limit";
  const takesPrice = ordType === "Limit" || ordType === "StopLimit";
  const parsed = submitOrderInput.parse({
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    orderQty: "100",
    ...(takesPrice ? { price: "189.50" } : {}),
    ...input,
    ordType,
  });
  const orderId = ids.orderId ?? "O1";
  return newOrder(parsed, {
    orderId,
    clOrdId: parsed.clOrdId ?? orderId,
    actor: ids.actor ?? "user:alice",
    now: ids.now ?? "2025-01-02T14:30:00.000000Z",
  });
}
