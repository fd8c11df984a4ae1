import { setVenueEnabledInput, testVenueInput, upsertAccountInput, upsertInstrumentInput, upsertVenueInput } from "@fillmore/shared";
import type { TRPCRouterRecord } from "@trpc/server";
import { actorOf, requires, router, toTrpcError } from "../trpc";

/**
 * Reference data administered at runtime: venues (with fee schedules and capabilities), instruments
 * and trading accounts. Admins write (`reference:write`), risk reads (`reference:read`). Input is
 * checked here with the shared schemas the engine checks rows with, then again by the engine, which
 * writes the row, journals the change with the actor and the reason, and applies it without a
 * restart (apps/engine/src/reference/service.ts). A change reaches every account, so a key bound to
 * accounts may not make one.
 */
const read = requires("reference:read");
const write = requires("reference:write");

/** The reference data, a bound key seeing only its own accounts. */
const list = read.query(async ({ ctx }) => {
  const view = await ctx.engine.adminReference().catch(toTrpcError);
  return { ...view, accounts: view.accounts.filter((a) => ctx.scope.allows(a.id)) };
});

const venues = {
  list,
  upsert: write.input(upsertVenueInput).mutation(({ ctx, input }) => {
    ctx.scope.assertUnconfined("change venues, which reaches every account");
    return ctx.engine.upsertVenue(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
  setEnabled: write.input(setVenueEnabledInput).mutation(({ ctx, input }) => {
    ctx.scope.assertUnconfined("enable or disable venues, which reaches every account");
    return ctx.engine.setVenueEnabled(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
  /** Connects with the settings as entered (not saved) and reports each step: FIX logon/heartbeat/logout, OsEngine status. */
  test: write.input(testVenueInput).mutation(({ ctx, input }) => {
    ctx.scope.assertUnconfined("test venue connections");
    return ctx.engine.testVenue(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
} satisfies TRPCRouterRecord;

const instruments = {
  list,
  upsert: write.input(upsertInstrumentInput).mutation(({ ctx, input }) => {
    ctx.scope.assertUnconfined("change instruments, which reaches every account");
    return ctx.engine.upsertInstrument(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
} satisfies TRPCRouterRecord;

const accounts = {
  list,
  upsert: write.input(upsertAccountInput).mutation(({ ctx, input }) => {
    ctx.scope.assertUnconfined("create or rename trading accounts");
    return ctx.engine.upsertAccount(input, actorOf(ctx.principal)).catch(toTrpcError);
  }),
} satisfies TRPCRouterRecord;

export const adminReferenceRouters = {
  venues: router(venues),
  instruments: router(instruments),
  accounts: router(accounts),
};
