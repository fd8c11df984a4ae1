import { describe, expect, it } from "vitest";
import { type JsonNumber, parseJsonExact } from "../../src/venues/osengine/exact-json";

describe("exact JSON (OsEngine answers, OSE-19)", () => {
  it("keeps each number's source text, which JSON.parse would round to a double", () => {
    const text = '{"entry_price":123456789.123456789,"open_volume":1.2e-7,"n":[0,-4.50]}';
    expect(JSON.parse(text).entry_price).toBe(123456789.12345679);
    const value = parseJsonExact(text) as { entry_price: JsonNumber; open_volume: JsonNumber; n: JsonNumber[] };
    expect(value.entry_price.raw).toBe("123456789.123456789");
    expect(value.open_volume.raw).toBe("1.2e-7");
    expect(value.n.map((x) => x.raw)).toEqual(["0", "-4.50"]);
    expect(Number(value.n[0])).toBe(0);
  });

  it("reads everything else as JSON.parse does: escaped strings (\\u0022), literals, nesting", () => {
    const text = '{"text":"\\u0022Tab\\u0027s\\u0022","ok":true,"no":false,"nil":null,"list":[{"a":[]},{}]}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it("keeps a __proto__ key as data, not as the object's prototype", () => {
    const value = parseJsonExact('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  it.each(["", "{", '{"a":}', "[1,]", "01", "1.", ".5", "12a", "NaN", '{"a":1} x', "tru", '"open'])(
    "refuses the invalid JSON %j",
    (text) => {
      expect(() => parseJsonExact(text)).toThrow(SyntaxError);
    },
  );
});
