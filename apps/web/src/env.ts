import { z } from "zod";

const serverEnv = z.object({
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgres:// URL" }),
  ENGINE_URL: z.string().url().default("http://127.0.0.1:4100"),
  ENGINE_SERVICE_TOKEN: z.string().min(24, { message: "ENGINE_SERVICE_TOKEN must be at least 24 characters" }),
  AUTH_SECRET: z.string().min(32, { message: "AUTH_SECRET must be at least 32 characters" }),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  /** More origins (comma-separated) whose pages may use the console with a session cookie, besides its own. */
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().url())),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  LOG_LEVEL: z.string().default("info"),
  /** Set by the launcher (scripts/lib/stack.ts): its JSON file of the supervised processes' states. */
  FILLMORE_SUPERVISOR_FILE: z.string().min(1).optional(),
});
export type ServerEnv = z.output<typeof serverEnv>;

/** The only place the web server reads process.env. */
export function loadServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = serverEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid web configuration: ${problems}`);
  }
  return parsed.data;
}
