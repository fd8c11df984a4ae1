import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";

const env = { DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db", ENGINE_SERVICE_TOKEN: "t".repeat(32) };

describe("GTD_MAX_HORIZON_DAYS", () => {
  it("defaults to 366 days and takes the operator's value", () => {
    expect(loadConfig(env).GTD_MAX_HORIZON_DAYS).toBe(366);
    expect(loadConfig({ ...env, GTD_MAX_HORIZON_DAYS: "30" }).GTD_MAX_HORIZON_DAYS).toBe(30);
  });

  it("refuses a horizon of zero or beyond the schema's 10 years", () => {
    expect(() => loadConfig({ ...env, GTD_MAX_HORIZON_DAYS: "0" })).toThrow(/GTD_MAX_HORIZON_DAYS/);
    expect(() => loadConfig({ ...env, GTD_MAX_HORIZON_DAYS: "4000" })).toThrow(/GTD_MAX_HORIZON_DAYS/);
  });
});
