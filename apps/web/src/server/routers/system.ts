import { checkSystemHealth, databaseProbe } from "../system-health";
import { requires, router } from "../trpc";

export const systemRouter = router({
  /** Every process's health, as the console's /healthz answers it (docs/OPERATIONS.md, "Health"). Admin only. */
  health: requires("system:read").query(({ ctx }) => {
    ctx.scope.assertUnconfined("read the health of the whole system, which serves every account");
    return ctx.systemHealth
      ? ctx.systemHealth()
      : checkSystemHealth({ engineUrl: ctx.engine.baseUrl, queryDatabase: databaseProbe(ctx.prisma) });
  }),
});
