import { timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type { z } from "zod";
import { CommandError } from "../orders/errors";

/** A value checked against its schema, or INVALID_INPUT naming each field that is wrong. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new CommandError("INVALID_INPUT", issues.map((i) => `${i.path || "input"}: ${i.message}`).join("; "), issues);
  }
  return result.data;
}

/** Whether the request carries the service token (`Authorization: Bearer …`), compared in constant time. */
export function authorized(req: http.IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
