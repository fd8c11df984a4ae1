import { describe, expect, it } from "vitest";
import type { Principal } from "./auth";
import { credentialOf, PrincipalCache } from "./principal-cache";

const alice: Principal = { kind: "user", id: "u1", email: "alice@example.com", name: "Alice", role: "trader" };

describe("PrincipalCache", () => {
  it("looks a credential up once within its lifetime, and again after it", async () => {
    let now = 0;
    let lookups = 0;
    const cache = new PrincipalCache(5000, 100, () => now);
    const lookup = async () => {
      lookups += 1;
      return alice;
    };
    expect(await cache.get("cookie:a", lookup)).toEqual(alice);
    now = 4999;
    expect(await cache.get("cookie:a", lookup)).toEqual(alice);
    expect(lookups).toBe(1);
    now = 5000;
    await cache.get("cookie:a", lookup);
    expect(lookups).toBe(2);
  });

  it("never remembers a refusal, and forgets a credential on sign-out", async () => {
    const cache = new PrincipalCache();
    let answer: Principal | null = null;
    const lookup = async () => answer;
    expect(await cache.get("cookie:b", lookup)).toBeNull();
    answer = alice;
    expect(await cache.get("cookie:b", lookup)).toEqual(alice);
    answer = null;
    cache.forget("cookie:b");
    expect(await cache.get("cookie:b", lookup)).toBeNull();
  });

  it("does not cache requests without a credential, and stays bounded", async () => {
    let lookups = 0;
    const cache = new PrincipalCache(60_000, 3);
    const lookup = async () => {
      lookups += 1;
      return alice;
    };
    await cache.get(null, lookup);
    await cache.get(null, lookup);
    expect(lookups).toBe(2);
    for (const c of ["a", "b", "c", "d", "e"]) await cache.get(c, lookup);
    lookups = 0;
    await cache.get("e", lookup);
    expect(lookups).toBe(0);
    await cache.get("a", lookup);
    expect(lookups).toBe(1);
  });
});

it("forgets a revoked API key at once, and nothing else", async () => {
  const key: Principal = { kind: "apiKey", id: "ak_1", name: "algo", role: "trader", accountIds: [] };
  const cache = new PrincipalCache();
  let lookups = 0;
  const lookupOf = (p: Principal) => async () => {
    lookups += 1;
    return p;
  };
  await cache.get("Bearer fm_1", lookupOf(key));
  await cache.get("cookie:a", lookupOf(alice));
  cache.forgetApiKey("ak_1");
  lookups = 0;
  await cache.get("cookie:a", lookupOf(alice));
  expect(lookups).toBe(0);
  await cache.get("Bearer fm_1", lookupOf(key));
  expect(lookups).toBe(1);
});

it("forgets every session of a disabled user at once (here and, by notice, on the other consoles), and nothing else", async () => {
  const bob: Principal = { kind: "user", id: "u2", email: "bob@example.com", name: "Bob", role: "trader" };
  const here = new PrincipalCache();
  const there = new PrincipalCache();
  here.onNotice((notice) => there.applyNotice(notice));
  let lookups = 0;
  const lookupOf = (p: Principal) => async () => {
    lookups += 1;
    return p;
  };
  for (const cache of [here, there]) {
    await cache.get("cookie:a1", lookupOf(alice));
    await cache.get("cookie:a2", lookupOf(alice));
    await cache.get("cookie:b", lookupOf(bob));
  }
  here.forgetUser("u1");
  lookups = 0;
  for (const cache of [here, there]) await cache.get("cookie:b", lookupOf(bob));
  expect(lookups).toBe(0);
  for (const cache of [here, there]) for (const cookie of ["cookie:a1", "cookie:a2"]) await cache.get(cookie, lookupOf(alice));
  expect(lookups).toBe(4);
});

describe("credentialOf", () => {
  it("prefers the bearer key, else the session cookie, else nothing", () => {
    expect(credentialOf("Bearer fm_x", "better-auth.session_token=abc")).toBe("Bearer fm_x");
    expect(credentialOf(undefined, "theme=dark; better-auth.session_token=abc.sig; other=1")).toBe(
      "cookie:better-auth.session_token=abc.sig",
    );
    expect(credentialOf(undefined, "__Secure-better-auth.session_token=s")).toBe("cookie:__Secure-better-auth.session_token=s");
    expect(credentialOf(undefined, "theme=dark")).toBeNull();
    expect(credentialOf("Basic xyz", undefined)).toBeNull();
  });
});
