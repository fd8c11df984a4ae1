import { requires } from "../trpc";
import { listScheduled, SCHEDULED_DIR } from "./scheduled-store";

// Scheduled daily reports and digests (scheduler.ts), read only: compliance and admins (audit:read).
// They cover every account, so a key bound to accounts is refused.
export const scheduledRouter = {
  /** Every finished scheduled day, newest first: its files (name, rows, bytes, SHA-256, journal seq) and the head its digest signs. */
  list: requires("audit:read").query(async ({ ctx }) => {
    ctx.scope.assertUnconfined("read scheduled reports, which cover every account");
    return { days: await listScheduled(SCHEDULED_DIR, 60) };
  }),
};
