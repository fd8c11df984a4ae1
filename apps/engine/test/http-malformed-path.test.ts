import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type ApiDeps, createApiServer } from "../src/api/http-server";

const TOKEN = "t".repeat(32);
let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** The internal API with only what a refused request touches: the token and the log. */
async function api(): Promise<number> {
  server = createApiServer({ token: TOKEN, log: pino({ level: "silent" }) } as unknown as ApiDeps);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function request(port: number, method: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(method === "POST" ? JSON.stringify({ actor: "user:alice" }) : undefined);
  });
}

describe("internal API: malformed percent-encoded paths", () => {
  it.each([
    ["GET", "/v1/orders/%E0%A4%A"],
    ["POST", "/v1/orders/%E0%A4%A/cancel"],
    ["POST", "/v1/venues/%ZZ/outage"],
  ])("%s %s answers 400 with a JSON error naming the problem, not 500", async (method, path) => {
    const port = await api();
    const { status, body } = await request(port, method, path);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: "INVALID_INPUT", message: expect.stringMatching(/malformed percent-encoding/) } });
  });
});
