import { TRPCError } from "@trpc/server";
import { expect, it } from "vitest";
import { EngineError } from "./engine-client";
import { toTrpcError } from "./trpc";

const codeOf = (status: number) => {
  try {
    toTrpcError(new EngineError(status, "RATE_LIMITED", "too many cancels from key:k1"));
  } catch (error) {
    return error instanceof TRPCError ? error.code : "not a TRPCError";
  }
};

it("a throttled command (engine 429) reaches the caller as TOO_MANY_REQUESTS, not an internal error", () => {
  expect(codeOf(429)).toBe("TOO_MANY_REQUESTS");
});

it("engine refusals keep their meaning: 400 bad request, 404 not found, 503 unavailable", () => {
  expect([codeOf(400), codeOf(404), codeOf(503)]).toEqual(["BAD_REQUEST", "NOT_FOUND", "SERVICE_UNAVAILABLE"]);
});
