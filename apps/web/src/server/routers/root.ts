import { scheduledRouter } from "../scheduler/router";
import { router } from "../trpc";
import { adminRouter } from "./admin";
import { alertsRouter } from "./alerts";
import { auditRouter } from "./audit";
import { controlsRouter } from "./controls";
import { corporateActionsRouter } from "./corporate-actions";
import { ordersRouter } from "./orders";
import { positionsRouter } from "./positions";
import { qualityRouter } from "./quality";
import { reconciliationRouter } from "./reconciliation";
import { regulatoryRouter } from "./regulatory";
import { reportsRouter } from "./reports";
import { riskRouter } from "./risk";
import { referenceRouter, sessionRouter } from "./session";
import { systemRouter } from "./system";
import { usersRouter } from "./users";
import { venuesRouter } from "./venues";

export const appRouter = router({
  orders: ordersRouter,
  session: sessionRouter,
  reference: referenceRouter,
  admin: adminRouter,
  risk: riskRouter,
  venues: venuesRouter,
  positions: positionsRouter,
  reconciliation: reconciliationRouter,
  controls: controlsRouter,
  alerts: alertsRouter,
  audit: auditRouter,
  corporateActions: corporateActionsRouter,
  quality: qualityRouter,
  reports: { ...reportsRouter, regulatory: regulatoryRouter, scheduled: scheduledRouter },
  system: systemRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
