import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { type RegulatoryFile, regulatoryFile } from "../reports/regulatory/build";
import { exportRegulatoryFile } from "../reports/regulatory/export";
import { firmFromEnv } from "../reports/regulatory/firm";
import { dayInput, monthInput, quarterInput } from "../reports/regulatory/periods";
import type { AccountScope } from "../scope";
import { actorOf, requires } from "../trpc";

// Regulatory outputs (reports.regulatory.*): Rule 605 for a month, 606(a)(1) for a quarter, CAT for a
// day, firm-wide, so reports:regulatory (compliance and admin) and no key bound to accounts; the 606(b)(3) customer report for one
// account (a bound key: its own only). Each previews as a table; `export` writes the file, journals
// it (ExportProduced with its SHA-256) and answers the id to download at /reports/exports/<id>.

const accountId = z.string().trim().min(1).max(128);

export const regulatoryRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["rule605", "rule605Summary"]), month: monthInput }).strict(),
  z.object({ kind: z.enum(["rule606", "rule606Pdf"]), quarter: quarterInput }).strict(),
  z.object({ kind: z.enum(["cat", "catMetadata"]), day: dayInput }).strict(),
  z.object({ kind: z.literal("customer606"), accountId, month: monthInput }).strict(),
]);
type Request = z.output<typeof regulatoryRequest>;

/** At most this many preview rows are answered (the file has them all). */
const PREVIEW_ROWS = 500;

function preview(file: RegulatoryFile) {
  return {
    kind: file.kind,
    fileName: file.fileName,
    format: file.format,
    rows: file.rows,
    bytes: file.content.length,
    columns: file.preview.columns,
    preview: file.preview.rows.slice(0, PREVIEW_ROWS),
    truncated: file.preview.rows.length > PREVIEW_ROWS,
    notes: file.notes,
  };
}

const regulatory = requires("reports:regulatory").use(({ next }) => next({ ctx: { firm: firmFromEnv() } }));

/** Firm-wide files are refused to a key bound to accounts; the customer report only for its own account. */
function confine(ctx: { scope: AccountScope }, input: Request): void {
  if (input.kind === "customer606") ctx.scope.assertAccount(input.accountId);
  else ctx.scope.assertUnconfined("read firm-wide regulatory reports, which span every account");
}

export const regulatoryRouter = {
  /** The report's file as a table: its columns, rows (first 500), file name and notes. */
  preview: regulatory.input(regulatoryRequest).query(async ({ ctx, input }) => {
    confine(ctx, input);
    return preview(await regulatoryFile(ctx.prisma, ctx.firm, input));
  }),

  /** Writes the report's file, journals it (ExportProduced, SHA-256) and answers its export id for the download. */
  export: regulatory.input(regulatoryRequest).mutation(async ({ ctx, input }) => {
    confine(ctx, input);
    const file = await regulatoryFile(ctx.prisma, ctx.firm, input);
    return exportRegulatoryFile(ctx.engine, actorOf(ctx.principal), file, input);
  }),
} satisfies TRPCRouterRecord;
