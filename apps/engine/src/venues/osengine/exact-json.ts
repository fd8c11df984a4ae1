/**
 * JSON.parse that keeps numbers exactly as the text has them. OsEngine writes its C# decimals as
 * JSON numbers (`"entry_price":123456789.123456789`, OSE-19 text); JSON.parse would turn them into
 * binary floats (digits lost, `1.2e-7` forms). Node 20 has no JSON source-text access, so this is
 * a small RFC 8259 parser whose numbers are JsonNumber values holding their source text.
 */
export class JsonNumber {
  constructor(readonly raw: string) {}
  /** For counts and position numbers only (`Number(x)`); money reads `raw` with parseWireDecimal. */
  valueOf(): number {
    return Number(this.raw);
  }
  toString(): string {
    return this.raw;
  }
  toJSON(): number {
    return Number(this.raw);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 8259 forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

export function parseJsonExact(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${at} of JSON text`);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const token = (re: RegExp): string | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return null;
    at = re.lastIndex;
    return m[0];
  };
  const literal = (word: string, value: unknown): unknown => {
    if (!text.startsWith(word, at)) fail("unexpected token");
    at += word.length;
    return value;
  };
  const value = (depth: number): unknown => {
    if (depth > 200) fail("nesting too deep");
    skip();
    const c = text[at];
    if (c === "{") {
      at += 1;
      const out: Record<string, unknown> = {};
      skip();
      if (text[at] === "}") {
        at += 1;
        return out;
      }
      for (;;) {
        skip();
        const key = token(STRING) ?? fail("expected a property name");
        skip();
        if (text[at] !== ":") fail("expected ':'");
        at += 1;
        Object.defineProperty(out, JSON.parse(key) as string, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skip();
        if (text[at] === ",") at += 1;
        else if (text[at] === "}") {
          at += 1;
          return out;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at += 1;
      const out: unknown[] = [];
      skip();
      if (text[at] === "]") {
        at += 1;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        skip();
        if (text[at] === ",") at += 1;
        else if (text[at] === "]") {
          at += 1;
          return out;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return JSON.parse(token(STRING) ?? fail("bad string")) as string;
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    const number = token(NUMBER);
    return number === null ? fail("unexpected token") : new JsonNumber(number);
  };
  const result = value(0);
  skip();
  if (at !== text.length) fail("unexpected text after the value");
  return result;
}
