import type http from "node:http";

/**
 * Browser-facing protections every response of the console carries, and the Origin rule for
 * cookie-authenticated requests (CSRF) and the live stream (cross-site WebSocket hijacking).
 */

/**
 * Next's App Router puts its bootstrap in inline scripts, and the console's pages are prerendered,
 * so scripts need 'unsafe-inline' (a nonce would force every page to render per request); nothing
 * else may load from anywhere but the console itself, and no site may frame it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};

/** Sets the security headers (and no-store for the API) before any handler writes its answer. */
export function applySecurityHeaders(url: string, res: http.ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (url.startsWith("/api/") || url === "/healthz") res.setHeader("Cache-Control", "no-store");
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** The origins allowed to call the console from a browser: its own (PUBLIC_URL or host:port) and a configured list. */
export function allowedOrigins(baseURL: string, extra: readonly string[] = []): string[] {
  const origins = new Set<string>();
  for (const url of [baseURL, baseURL.replace("127.0.0.1", "localhost"), ...extra]) {
    const origin = originOf(url.trim());
    if (origin) origins.add(origin);
  }
  return [...origins];
}

export type OriginVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether a request comes from the console's own pages (or an allowed origin).
 * - An `Origin` header must be an allowed origin, or the origin the request was sent to (its Host);
 *   `Origin: null` (sandboxed frames, privacy redirects) is refused.
 * - Without `Origin`: browsers send it on every cross-origin request and every POST, so its absence
 *   means a same-origin GET or a program (curl, an SDK); `Sec-Fetch-Site: cross-site|same-site` is
 *   still refused.
 */
export function checkOrigin(headers: http.IncomingHttpHeaders, allowed: readonly string[], secure = false): OriginVerdict {
  const origin = headers.origin;
  if (origin === undefined) {
    const site = headers["sec-fetch-site"];
    if (site === "cross-site" || site === "same-site") return { allowed: false, reason: `a ${site} request without an Origin header` };
    return { allowed: true };
  }
  if (allowed.includes(origin)) return { allowed: true };
  const host = headers.host;
  if (host && (origin === `http://${host}` || origin === `https://${host}`) && (!secure || origin.startsWith("https://"))) {
    return { allowed: true };
  }
  return { allowed: false, reason: `origin ${origin.slice(0, 200)} is not allowed` };
}

/** A request authenticated by an API key (`Authorization: Bearer`) rather than a cookie: not a browser's ambient credential. */
export function isBearerRequest(headers: http.IncomingHttpHeaders): boolean {
  return /^Bearer\s+\S/i.test(headers.authorization ?? "");
}

/** Methods that change something: their cookie-authenticated requests must pass the Origin check. */
export function isMutation(method: string | undefined): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}
