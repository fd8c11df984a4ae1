import type { AnyEvent } from "@fillmore/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, hashEvent, hmacEvent } from "./hash";

const fillEvent: AnyEvent = {
  seq: 7,
  ts: "2025-01-02T14:30:01.123456Z",
  monoUs: 123456,
  type: "OrderFilled",
  orderId: "O1",
  accountId: "ACC-ALPHA",
  actor: "venue:SIM-A",
  data: { execId: "abc-1", venueId: "SIM-A", lastQty: "100", lastPx: "189.51" },
};

/** A seeded generator in [0, 1) (Park-Miller), so a failing shuffle can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The same value with object keys in a random order, at every depth. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, random));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffled(v, random)] as const);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as (typeof entries)[number], entries[i] as (typeof entries)[number]];
  }
  return Object.fromEntries(entries);
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and leaves array order alone", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined fields, so an absent and an undefined field hash the same", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it("gives the same text for any key order, and parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 2147483646 }), (value, seed) => {
        const text = canonicalJson(value);
        expect(canonicalJson(shuffled(value, seeded(seed)))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

/** The canonical form as first written (keys by `Array.prototype.sort`): what journals on record were hashed with. */
function referenceCanonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(",")}]`;
  const o = value as Record<string, unknown>;
  const parts = Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${referenceCanonical(o[k])}`);
  return `{${parts.join(",")}}`;
}

describe("canonicalJson key order", () => {
  it("is exactly the default sort's (UTF-16 code units), so chains written before still verify", () => {
    expect(canonicalJson({ b: 1, B: 2, "\u00e9": 3, "\ud83d\ude00": 4, "\uffff": 5, a1: 6, a: 7, "": 8 })).toBe(
      referenceCanonical({ b: 1, B: 2, "\u00e9": 3, "\ud83d\ude00": 4, "\uffff": 5, a1: 6, a: 7, "": 8 }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue(), { maxKeys: 40 }), (value, dict) => {
        expect(canonicalJson(value)).toBe(referenceCanonical(value));
        expect(canonicalJson(dict)).toBe(referenceCanonical(dict));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("hashEvent", () => {
  it("is a sha256 hex digest that depends on the previous hash", () => {
    const hash = hashEvent(GENESIS_HASH, fillEvent);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(GENESIS_HASH, fillEvent)).toBe(hash);
    expect(hashEvent(hash, fillEvent)).not.toBe(hash);
  });

  it("hashes a key-shuffled copy of the event the same", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2147483646 }), (seed) => {
        expect(hashEvent(GENESIS_HASH, shuffled(fillEvent, seeded(seed)) as AnyEvent)).toBe(hashEvent(GENESIS_HASH, fillEvent));
      }),
    );
  });

  it("changes when any field of the event or the previous hash changes", () => {
    const base = hashEvent(GENESIS_HASH, fillEvent);
    const edits: ((e: AnyEvent) => AnyEvent)[] = [
      (e) => ({ ...e, seq: e.seq + 1 }),
      (e) => ({ ...e, ts: "2025-01-02T14:30:01.123457Z" }),
      (e) => ({ ...e, monoUs: e.monoUs + 1 }),
      (e) => ({ ...e, orderId: "O2" }),
      (e) => ({ ...e, accountId: null }),
      (e) => ({ ...e, actor: "user:mallory" }),
      (e) => ({ ...e, type: "OrderPartiallyFilled" }) as AnyEvent,
      (e) => ({ ...e, data: { ...fillEvent.data, lastQty: "1000" } }) as AnyEvent,
      (e) => ({ ...e, data: { ...fillEvent.data, lastPx: "189.510" } }) as AnyEvent,
      (e) => ({ ...e, data: { ...fillEvent.data, execId: "abc-2" } }) as AnyEvent,
    ];
    for (const edit of edits) expect(hashEvent(GENESIS_HASH, edit(fillEvent))).not.toBe(base);

    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), (prevHash) => {
        fc.pre(prevHash !== GENESIS_HASH);
        expect(hashEvent(prevHash, fillEvent)).not.toBe(base);
      }),
    );
  });

  it("changes when any string field is replaced by a different value", () => {
    const stringFields = ["ts", "actor", "orderId", "accountId"] as const;
    const dataFields = ["execId", "venueId", "lastQty", "lastPx"] as const;
    const base = hashEvent(GENESIS_HASH, fillEvent);
    fc.assert(
      fc.property(fc.constantFrom(...stringFields, ...dataFields), fc.string(), (field, value) => {
        const inData = (dataFields as readonly string[]).includes(field);
        const current = inData ? fillEvent.data[field as (typeof dataFields)[number]] : fillEvent[field as (typeof stringFields)[number]];
        fc.pre(value !== current);
        const edited = inData ? { ...fillEvent, data: { ...fillEvent.data, [field]: value } } : { ...fillEvent, [field]: value };
        expect(hashEvent(GENESIS_HASH, edited as AnyEvent)).not.toBe(base);
      }),
    );
  });
});

describe("hmacEvent (the keyed chain)", () => {
  const key = Buffer.alloc(32, 7);
  it("differs from the unkeyed hash and from the same event under another key, so neither forges it", () => {
    const keyed = hmacEvent(key, GENESIS_HASH, fillEvent);
    expect(keyed).toMatch(/^[0-9a-f]{64}$/);
    expect(keyed).not.toBe(hashEvent(GENESIS_HASH, fillEvent));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (other) => {
        fc.pre(!Buffer.from(other).equals(key));
        expect(hmacEvent(Buffer.from(other), GENESIS_HASH, fillEvent)).not.toBe(keyed);
      }),
    );
  });

  it("is stable for a key-shuffled copy and changes with any edit", () => {
    expect(hmacEvent(key, GENESIS_HASH, shuffled(fillEvent, seeded(42)) as AnyEvent)).toBe(hmacEvent(key, GENESIS_HASH, fillEvent));
    const edited = { ...fillEvent, data: { ...fillEvent.data, lastPx: "0.01" } } as AnyEvent;
    expect(hmacEvent(key, GENESIS_HASH, edited)).not.toBe(hmacEvent(key, GENESIS_HASH, fillEvent));
  });
});
