import type { PrismaClient } from "@fillmore/db";
import { z } from "zod";
import { toCsv } from "../../components/quality/quality-csv";
import { qualitySections } from "../../components/quality/quality-sections";
import {
  aggregates,
  comparison,
  GROUP_BY,
  matchingOrders,
  qualityFilter,
  type Run,
  slippageDistribution,
  timeseries,
} from "../routers/quality-aggregates";

/**
 * The Quality page's CSV, computed on the server and written through the journaled export path (it was
 * built in the browser and never journaled): the same sections (filter, broker comparison, aggregates
 * by venue and by the page's grouping, the latency series, the slippage distribution, the first 100
 * matching orders) from the same functions the quality.* procedures answer with, for the same filter,
 * confined to a bound key's accounts as they are. The figures are those at the moment of the export;
 * the latency series covers the filter (with a brushed selection, the selection: the page's chart
 * shows the range around it).
 */
const instant = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), "an ISO-8601 date");

export const qualityExportInput = z
  .object({
    /** The page's filter, with the brushed selection applied (as the page sends quality.* queries). */
    filter: qualityFilter.default({}),
    /** The brushed selection, if any (recorded in the file's filter section). */
    selection: z.object({ from: instant, to: instant }).strict().nullable().default(null),
    groupBy: z.enum(GROUP_BY).default("venue"),
    percentile: z.enum(["p50", "p95", "p99"]).default("p99"),
  })
  .strict();
export type QualityExportInput = z.output<typeof qualityExportInput>;

/** What the page's Matching orders table shows (quality.orders' limit there). */
const ORDERS_SHOWN = 100;

export interface QualityDocument {
  sections: ReturnType<typeof qualitySections>;
  /** Data rows over every section. */
  rows: number;
}

/** The page's figures as CSV sections, read from the execution_metrics projection. */
export async function qualityDocument(
  prisma: Pick<PrismaClient, "$queryRawUnsafe">,
  input: QualityExportInput,
  accountIds: readonly string[] | null,
): Promise<QualityDocument> {
  const run: Run = <T>(text: string, values: unknown[]) => prisma.$queryRawUnsafe<T[]>(text, ...values);
  const f = input.filter;
  const [byVenue, grouped, compared, series, distribution, orders] = await Promise.all([
    aggregates(run, f, accountIds, "venue"),
    input.groupBy === "venue" ? null : aggregates(run, f, accountIds, input.groupBy),
    comparison(run, f, accountIds),
    timeseries(run, f, accountIds),
    slippageDistribution(run, f, accountIds),
    matchingOrders(run, f, accountIds, ORDERS_SHOWN),
  ]);
  const sections = qualitySections({
    filter: f,
    selection: input.selection,
    percentile: input.percentile,
    series,
    byVenue,
    grouped: grouped ?? byVenue,
    comparison: compared,
    distribution,
    orders,
  });
  return { sections, rows: sections.reduce((n, s) => n + s.rows.length, 0) };
}

/** The document as a file: CSV sections exactly as the page's CSV, or JSON `{heading, sections}`. */
export function qualityText(doc: QualityDocument, format: "csv" | "json", heading: unknown): string {
  if (format === "csv") return toCsv(doc.sections);
  return `${JSON.stringify({ heading, sections: doc.sections })}\n`;
}
