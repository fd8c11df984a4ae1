import path from "node:path";
import { type APIRequestContext, expect, type Locator, type Page } from "@playwright/test";

export type Role = "trader" | "risk" | "compliance" | "admin";

export interface Login {
  role: Role;
  email: string;
  password: string;
}

export const ROLES: readonly Role[] = ["trader", "risk", "compliance", "admin"];

let cached: Login[] | undefined;

/** Demo logins handed over by scripts/run-tests.ts (random passwords made when the stack is seeded). */
export function logins(): Login[] {
  if (cached) return cached;
  const raw = process.env.E2E_LOGINS;
  if (!raw) throw new Error("E2E_LOGINS is not set; run the browser tests through `npm test` or `npx tsx scripts/run-tests.ts e2e`");
  const parsed = JSON.parse(raw) as Login[];
  for (const role of ROLES) {
    if (!parsed.some((l) => l.role === role)) throw new Error(`E2E_LOGINS has no login for role ${role}`);
  }
  cached = parsed;
  return parsed;
}

export function loginFor(role: Role): Login {
  const login = logins().find((l) => l.role === role);
  if (!login) throw new Error(`no login for role ${role}`);
  return login;
}

const SIGN_IN_PATH = "/api/auth/sign-in/email";

/**
 * Fills the login form and presses "Sign in"; returns the HTTP status of the sign-in call.
 * The auth library allows 3 sign-in attempts per 10 s (and, see the report, the console gives it no
 * client IP, so the bucket is shared by every client): on 429 this waits as long as the server's
 * X-Retry-After header says, then tries again.
 */
export async function submitLoginForm(page: Page, email: string, password: string): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(SIGN_IN_PATH) && r.request().method() === "POST"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    if (response.status() !== 429 || attempt >= 4) return response.status();
    const retryAfter = Number(response.headers()["x-retry-after"] ?? "10");
    await page.waitForTimeout(Math.min(Math.max(retryAfter, 1), 15) * 1000 + 250);
  }
}

/** Signs in through the login form and waits for the blotter page with the user's role badge. */
export async function signIn(page: Page, role: Role): Promise<void> {
  const { email, password } = loginFor(role);
  await page.goto("/login");
  const status = await submitLoginForm(page, email, password);
  expect(status, "sign-in HTTP status").toBe(200);
  await expect(page).toHaveURL(/\/$/, { timeout: 15_000 });
  await expect(page.locator("header .role")).toHaveText(role, { timeout: 15_000 });
}

/** Where the setup project keeps each role's signed-in browser state. */
export function storageStateFor(role: Role): string {
  return path.resolve(import.meta.dirname, "../.test-data/e2e-auth", `${role}.json`);
}

/** Opens the blotter with a session saved by the setup project. */
export async function openBlotter(page: Page, role: Role): Promise<void> {
  await page.goto("/");
  await expect(page.locator("header .role")).toHaveText(role, { timeout: 15_000 });
}

export function blotter(page: Page): Locator {
  return page.getByRole("region", { name: "Blotter" });
}

export function rows(page: Page): Locator {
  return blotter(page).locator("tbody tr[data-order-id]");
}

export function rowByClOrdId(page: Page, clOrdId: string): Locator {
  return blotter(page).locator(`tbody tr[data-cl-ord-id="${clOrdId}"]`);
}

/**
 * Narrows the blotter to one order with its find box, as a trader would, and returns its row. Other
 * tests and the demo strategy keep adding orders at the top: unfiltered, the row keeps moving and can
 * scroll out of the virtual rows while a test waits on it or clicks it.
 */
export async function focusRow(page: Page, clOrdId: string): Promise<Locator> {
  await blotter(page).getByLabel("Find by ClOrdID or order id").fill(clOrdId);
  return rowByClOrdId(page, clOrdId);
}

/** Waits until the live stream delivered its snapshot (no stale banner, dot not stale). */
export async function waitLive(page: Page): Promise<void> {
  await expect(blotter(page)).toBeVisible();
  await expect(page.locator(".live-dot")).not.toHaveClass(/stale/, { timeout: 15_000 });
  await expect(page.getByRole("status").filter({ hasText: "Data may be stale" })).toHaveCount(0);
}

export interface RowInfo {
  orderId: string;
  clOrdId: string;
  status: string;
  symbol: string;
}

/** Reads every blotter row at once (rows re-mount on each change, so read them in one pass). */
export function readRows(page: Page): Promise<RowInfo[]> {
  return rows(page).evaluateAll((trs) =>
    trs.map((tr) => ({
      orderId: tr.getAttribute("data-order-id") ?? "",
      clOrdId: tr.getAttribute("data-cl-ord-id") ?? "",
      status: tr.getAttribute("data-status") ?? "",
      symbol: (tr as HTMLTableRowElement).cells[3]?.textContent ?? "",
    })),
  );
}

/** Column positions in the blotter table. */
export const COL = {
  time: 0,
  clOrdId: 1,
  account: 2,
  symbol: 3,
  side: 4,
  type: 5,
  qty: 6,
  filled: 7,
  leaves: 8,
  limitPx: 9,
  avgPx: 10,
  status: 11,
  venue: 12,
};

export function cell(row: Locator, column: number): Locator {
  return row.locator("td").nth(column);
}

export type TicketType = "Limit" | "Market" | "Stop" | "StopLimit" | "TrailingStop";

export interface TicketOrder {
  account?: string;
  symbol: string;
  side: "Buy" | "Sell";
  type: TicketType;
  quantity: string;
  price?: string;
  stopPx?: string;
  trailAmount?: string;
  trailPercent?: string;
  tif?: "DAY" | "GTC" | "IOC" | "FOK" | "GTD";
  /** For GTD: a `datetime-local` value, e.g. "2030-01-15T16:30". */
  expireLocal?: string;
  clOrdId?: string;
  /** A venue id for a directed order; the router chooses otherwise. */
  venue?: string;
  /** A routing policy for this order, e.g. "liquiditySplit". */
  routing?: string;
}

export function ticket(page: Page): Locator {
  return page.getByRole("form", { name: "Order ticket" });
}

/** Fills the order ticket (type, fields per type, time in force, optional id), without submitting. */
export async function fillTicket(page: Page, order: TicketOrder): Promise<void> {
  const form = ticket(page);
  await form.getByRole("button", { name: order.type, exact: true }).click();
  await expect(form.getByRole("button", { name: order.type, exact: true })).toHaveAttribute("aria-pressed", "true");
  // The selects are filled from reference data; wait for it before choosing.
  await expect(form.getByLabel("Symbol").locator(`option[value="${order.symbol}"]`)).toHaveCount(1);
  await form.getByLabel("Account").selectOption(order.account ?? "ACC-ALPHA");
  await form.getByLabel("Symbol").selectOption(order.symbol);
  await form.getByRole("radio", { name: order.side }).check();
  await form.getByLabel("Quantity").fill(order.quantity);
  await expect(form.getByLabel("Quantity")).toHaveValue(order.quantity);
  const limit = form.getByLabel("Limit price");
  if (order.type === "Limit" || order.type === "StopLimit") await limit.fill(order.price ?? "");
  else await expect(limit).toHaveCount(0);
  const stop = form.getByLabel("Stop price");
  if (order.type === "Stop" || order.type === "StopLimit") await stop.fill(order.stopPx ?? "");
  else await expect(stop).toHaveCount(0);
  if (order.type === "TrailingStop") {
    const byPercent = order.trailPercent !== undefined;
    await form.getByLabel("Trail by").selectOption(byPercent ? "percent" : "amount");
    await form.getByLabel(byPercent ? "Trail percent" : "Trail amount").fill((byPercent ? order.trailPercent : order.trailAmount) ?? "");
  }
  await form.getByLabel("Time in force").selectOption(order.tif ?? "DAY");
  if (order.tif === "GTD") await form.getByLabel("Expire time").fill(order.expireLocal ?? "");
  if (order.clOrdId !== undefined) {
    const id = form.getByLabel("Client order id");
    if (!(await id.isVisible())) await form.getByText("Client order id, venue, routing").click();
    await id.fill(order.clOrdId);
  }
  if (order.venue !== undefined) {
    const venue = form.getByLabel("Venue");
    if (!(await venue.isVisible())) await form.getByText("Client order id, venue, routing").click();
    await venue.selectOption(order.venue);
  }
  if (order.routing !== undefined) {
    const routing = form.getByLabel("Routing");
    if (!(await routing.isVisible())) await form.getByText("Client order id, venue, routing").click();
    await routing.selectOption(order.routing);
  }
  await expect(form.getByLabel("Quantity")).toHaveValue(order.quantity);
}

/** Fills the order ticket and presses "Submit order" (does not wait for the answer). */
export async function fillAndSubmit(page: Page, order: TicketOrder): Promise<void> {
  await fillTicket(page, order);
  await ticket(page).getByRole("button", { name: "Submit order" }).click();
}

/** Counts order submissions the page sends to the server. */
export function countSubmits(page: Page): () => number {
  let n = 0;
  page.on("request", (request) => {
    if (request.url().includes("/api/trpc/orders.submit")) n += 1;
  });
  return () => n;
}

/** A client order id no other test uses. */
export function uniqueId(prefix: string): string {
  return `e2e-${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
    .toString(36)
    .padStart(2, "0")}`;
}

/** The bid and ask the ticket shows for a symbol (its Symbol options read "AAPL 189.47 / 189.49"). */
export async function quoteOf(page: Page, symbol: string): Promise<{ bid: number; ask: number }> {
  const option = ticket(page).getByLabel("Symbol").locator(`option[value="${symbol}"]`);
  await expect(option).toHaveText(/\d \/ \d/);
  const match = /([\d.]+) \/ ([\d.]+)/.exec((await option.textContent()) ?? "");
  if (!match) throw new Error(`no quote for ${symbol} in the ticket`);
  return { bid: Number(match[1]), ask: Number(match[2]) };
}

/**
 * A limit price `factor` times the touch, on a 0.01 tick. The engine's price collar refuses limits
 * far from the market, so "marketable" is a few percent through the touch and "passive" a few percent away.
 */
export async function limitAround(page: Page, symbol: string, side: "Buy" | "Sell", marketable: boolean): Promise<string> {
  const { bid, ask } = await quoteOf(page, symbol);
  const touch = side === "Buy" ? ask : bid;
  const through = side === "Buy" ? 1.05 : 0.95;
  const away = side === "Buy" ? 0.95 : 1.05;
  return (Math.round(touch * (marketable ? through : away) * 100) / 100).toFixed(2);
}

/** Submits through the ticket and returns the clOrdId from the success message. */
export async function submitOrder(page: Page, order: TicketOrder): Promise<string> {
  const status = ticket(page).getByRole("status");
  const previous = (await status.count()) > 0 ? await status.textContent() : null;
  await fillAndSubmit(page, order);
  const alert = ticket(page).getByRole("alert");
  await expect(status.or(alert)).toBeVisible({ timeout: 15_000 });
  if (previous !== null) await expect(status.or(alert)).not.toHaveText(previous, { timeout: 15_000 });
  if ((await alert.count()) > 0) throw new Error(`the ticket refused the order: ${await alert.textContent()}`);
  await expect(status).toHaveText(/^\S+ [A-Za-z]+$/, { timeout: 15_000 });
  const text = (await status.textContent()) ?? "";
  const clOrdId = text.split(" ")[0] ?? "";
  expect(clOrdId).not.toBe("");
  return clOrdId;
}

export const screenshotDir = path.resolve(import.meta.dirname, "screenshots");

export function screenshotPath(name: string): string {
  return path.join(screenshotDir, name);
}

/** A tRPC query over the page's session (GET with the input in the query string); fails the test on anything but 200. */
export async function trpcGet<T>(request: APIRequestContext, procedure: string, input?: unknown): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await request.get(`/api/trpc/${procedure}${query}`);
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

/**
 * The side of an order that grows an account's position in a symbol (buy from flat or long, sell from
 * short): under a halt, orders that only reduce a position still pass, so a test of a refusal needs this.
 */
export async function growingSide(request: APIRequestContext, accountId: string, symbol: string): Promise<"Buy" | "Sell"> {
  const snapshot = await trpcGet<{ rows: { symbol: string; qty: string }[] }>(request, "positions.snapshot", { accountIds: [accountId] });
  const position = snapshot.rows.filter((r) => r.symbol === symbol).reduce((sum, r) => sum + Number(r.qty), 0);
  return position < 0 ? "Sell" : "Buy";
}
