import { router } from "../trpc";
import { ordersRouter } from "./orders";
import { referenceRouter, sessionRouter } from "./session";

export const appRouter = router({
  orders: ordersRouter,
  session: sessionRouter,
  reference: referenceRouter,
});

export type AppRouter = typeof appRouter;
