import { z } from "zod";

// Who files: the identifiers the regulatory files carry, and the reference facts Fillmore's own data
// lacks (S&P 500 membership, venues that count as "executed away"). From FILLMORE_REGULATORY_FIRM
// (JSON) when set, else demo defaults; validated, a malformed value is refused at first use.

const code = z.string().trim().min(1).max(64);

export const firmSchema = z
  .object({
    /** 606 broker-dealer name. */
    name: code.default("Fillmore Securities LLC"),
    /** 605 report entity code (file names `<RprtEntityCd><YYYYMM>`). */
    rprtEntityCd: z
      .string()
      .regex(/^[A-Z0-9]{1,8}$/)
      .default("FLMR"),
    dsgntParticipant: code.default("FINRA"),
    catSubmitterId: z
      .string()
      .regex(/^\d{1,10}$/)
      .default("12345"),
    /** CATReporterIMID, Alphanumeric(7). */
    catReporterImid: z
      .string()
      .regex(/^[A-Z0-9]{1,7}$/)
      .default("FLMR"),
    catGroup: z
      .string()
      .regex(/^[A-Za-z0-9]{1,8}$/)
      .default("G1"),
    /** S&P 500 members (605 Sp500, 606 sections): the reference data has no index membership. */
    sp500: z.array(code).default(["AAPL", "MSFT", "NVDA", "TSLA"]),
    /** Venues whose executions count as executed away (605 CvrdOrderExctdAwayQty). Default none. */
    awayVenues: z.array(code).default([]),
    /** CAT destinations by venue id; a venue not listed is reported as a member firm (F) under its id. */
    catDestinations: z.record(code, z.object({ destination: code, destinationType: z.enum(["E", "F"]) }).strict()).default({}),
    /** 606 (a)(1)(iv): the material aspects of the relationship with each venue. */
    materialAspects: z
      .string()
      .max(20_000)
      .default("Fillmore receives no payment for order flow. Net payments are the venues' fees and rebates on executed shares."),
  })
  .strict();
export type Firm = z.output<typeof firmSchema>;

export function firmFromEnv(env: Record<string, string | undefined> = process.env): Firm {
  const raw = env.FILLMORE_REGULATORY_FIRM;
  return firmSchema.parse(raw ? JSON.parse(raw) : {});
}
