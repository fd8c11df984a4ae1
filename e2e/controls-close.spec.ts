import { expect, type Page, test } from "@playwright/test";
import {
  buildPosition,
  expectHalted,
  historyRow,
  openAs,
  openControls,
  positionQty,
  resetFromConsole,
  resetLeftovers,
  rowWithCell,
  tripScopeFromConsole,
} from "./controls-steps";
import {
  fillAndSubmit,
  limitAround,
  loginFor,
  openBlotter,
  screenshotPath,
  storageStateFor,
  submitOrder,
  ticket,
  trpcGet,
  uniqueId,
  waitLive,
} from "./helpers";

// Two emergency actions, the way docs/OPERATIONS.md "Emergency procedures" tells a risk user:
// closeAllPositions ("Halt from the console" with the closeAllPositions action on an account+symbol
// scope: the position is flattened through the router, each attempt journaled, the console shows it
// flat), and REDUCING ("Only let positions shrink": set on the Risk page; an order that grows the
// position is refused naming the scope, who and why, one that reduces it passes); each then "Reset
// safely". The demo strategy trades every account at random (about one order a second over 18
// account/symbol pairs), so each test builds a position of its own far from flat first, and checks
// only what a halt or REDUCING keeps the demo from changing: under either, an order in scope may only
// bring the position toward zero. Runs in the "exclusive" project (playwright.config.ts), serially.
test.describe.configure({ mode: "serial", timeout: 180_000 });

const drill = uniqueId("close");
const riskActor = `user:${loginFor("risk").email}`;
const STRATEGY = `${drill}-strat`.slice(0, 60);
// The flatten drill: one account and one symbol, a scope the demo only rarely touches.
const CLOSE_ACCOUNT = "ACC-BETA";
const CLOSE_SYMBOL = "SPY";
const CLOSE_SCOPE = `account:${CLOSE_ACCOUNT}/symbol:${CLOSE_SYMBOL}`;
// The REDUCING drill: the Risk page sets states per account or symbol.
const REDUCING_ACCOUNT = "ACC-GAMMA";
const REDUCING_SYMBOL = "TSLA";
const REDUCING_SCOPE = `account:${REDUCING_ACCOUNT}`;

let risk: Page;
let trader: Page;

test.beforeAll(async ({ browser }) => {
  risk = await openAs(browser, "risk");
  trader = await openAs(browser, "trader");
});

test.afterAll(async ({ playwright }) => {
  // Whatever failed above, nothing this spec halted or set REDUCING stays so.
  const request = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: storageStateFor("risk") });
  try {
    await resetLeftovers(request, drill, [CLOSE_SCOPE, REDUCING_SCOPE]);
  } finally {
    await request.dispose();
    for (const page of [risk, trader]) await page?.context().close();
  }
});

interface FlattenAttempt {
  data: { tripId: string; accountId: string; symbol: string; attempt: number; orderId: string | null; result: string };
  actor: string | null;
}

test("closeAllPositions on an account+symbol scope flattens the position through the router; the console shows it flat; reset", async () => {
  // A position of our own, some 25 away from flat on the side it already leans.
  const before = await buildPosition(trader.request, {
    accountId: CLOSE_ACCOUNT,
    symbol: CLOSE_SYMBOL,
    qty: 25,
    strategy: STRATEGY,
    clOrdId: uniqueId("close-build"),
  });
  expect(Math.abs(before)).toBeGreaterThanOrEqual(15);

  // Halt from the console: scope, reason, actions with closeAllPositions, Preview impact (the position
  // shows), Halt <scope>; the page answers with the position flattened and none NOT flat.
  const reason = `e2e ${drill}: flatten ${CLOSE_SCOPE} per runbook`;
  await openControls(risk, "risk");
  const { flattened } = await tripScopeFromConsole(risk, CLOSE_SCOPE, reason, { closeAllPositions: true });
  expect(flattened, "positions flattened").toBe(1);

  // Verify the halt took: the state row, the trip with its actions, the outcome with no failure.
  await expectHalted(risk, CLOSE_SCOPE, riskActor, reason);
  await expect(historyRow(risk, "KillSwitchTripped", CLOSE_SCOPE).getByRole("cell").nth(4)).toHaveText(
    `haltNewOrders, cancelOpenOrders, closeAllPositions: ${reason}`,
    { timeout: 15_000 },
  );
  const outcome = historyRow(risk, "KillSwitchOutcome", CLOSE_SCOPE);
  await expect(outcome.getByRole("cell").nth(4)).toHaveText(/^\d+ orders cancelled, 1 positions flattened, 0 failures$/);
  await risk.screenshot({ path: screenshotPath("controls-close-flattened.png"), fullPage: true });

  // Each attempt is journaled: a market order through the router under controls:<who>, the last one Filled.
  const state = await trpcGet<{
    history: {
      type: string;
      scope: string;
      data: { tripId: string; positionsFlattened: { symbol: string; from: string; attempts: number }[] };
    }[];
  }>(risk.request, "controls.state");
  const record = state.history.find((h) => h.type === "KillSwitchOutcome" && h.scope === CLOSE_SCOPE);
  expect(record, "the KillSwitchOutcome of the trip").toBeDefined();
  const tripId = record?.data.tripId ?? "";
  const [position] = record?.data.positionsFlattened ?? [];
  expect(position?.symbol).toBe(CLOSE_SYMBOL);
  expect(Math.abs(Number(position?.from))).toBeGreaterThanOrEqual(15);
  expect(position?.attempts).toBeGreaterThanOrEqual(1);
  const attempts = await trpcGet<{ events: FlattenAttempt[] }>(risk.request, "audit.search", {
    types: ["KillSwitchFlattenAttempt"],
    accountId: CLOSE_ACCOUNT,
    text: tripId,
  });
  expect(attempts.events.map((e) => e.data.attempt).sort((a, b) => a - b)).toEqual(
    Array.from({ length: position?.attempts ?? 0 }, (_, i) => i + 1),
  );
  for (const attempt of attempts.events) {
    expect(attempt.actor).toBe(`controls:${riskActor}`);
    expect(attempt.data.symbol).toBe(CLOSE_SYMBOL);
    expect(attempt.data.orderId, attempt.data.result).not.toBeNull();
  }
  // The last attempt's market order went out through the router and filled.
  const last = attempts.events.find((e) => e.data.attempt === position?.attempts);
  const flattenOrder = await trpcGet<{ order: { ordType: string; ordStatus: string; venueId: string | null } }>(
    risk.request,
    "orders.get",
    {
      orderId: last?.data.orderId,
    },
  );
  expect(flattenOrder.order).toMatchObject({ ordType: "Market", ordStatus: "Filled" });
  expect(flattenOrder.order.venueId).toBeTruthy();

  // The position is 0 (the halt keeps it there: from flat no order can reduce), on the Risk page too.
  await expect.poll(() => positionQty(risk.request, CLOSE_ACCOUNT, CLOSE_SYMBOL), { timeout: 15_000 }).toBe(0);
  await risk.goto("/risk");
  const row = risk.getByRole("region", { name: "Positions" }).locator(`tr[data-account="${CLOSE_ACCOUNT}"][data-symbol="${CLOSE_SYMBOL}"]`);
  await expect(row.getByRole("cell").nth(2)).toHaveText("0", { timeout: 15_000 });

  // Reset safely.
  await openControls(risk, "risk");
  await resetFromConsole(risk, CLOSE_SCOPE, `e2e ${drill}: ${CLOSE_SCOPE} flat, checked`);
  await expect(historyRow(risk, "KillSwitchReset", CLOSE_SCOPE).getByRole("cell").nth(3)).toHaveText(riskActor, { timeout: 15_000 });
});

test("REDUCING set on the Risk page passes an order that reduces the position and refuses one that grows it, naming the scope, who and why; reset", async () => {
  await openBlotter(trader, "trader");
  await waitLive(trader);
  const position = await buildPosition(trader.request, {
    accountId: REDUCING_ACCOUNT,
    symbol: REDUCING_SYMBOL,
    qty: 30,
    strategy: STRATEGY,
    clOrdId: uniqueId("reducing-build"),
  });
  const grow = position > 0 ? "Buy" : "Sell";
  const shrink = position > 0 ? "Sell" : "Buy";

  // Risk page: a reason, then REDUCING on the account's row.
  const reason = `e2e ${drill}: ${REDUCING_SCOPE} may only reduce`;
  await risk.goto("/risk");
  await expect(risk.locator("header .role")).toHaveText("risk", { timeout: 15_000 });
  const control = risk.getByRole("region", { name: "Global trading state" });
  await control.getByLabel(/^Reason/).fill(reason);
  await control.getByRole("button", { name: `Set ${REDUCING_SCOPE} REDUCING` }).click();
  await expect(control.getByRole("status")).toHaveText(`${REDUCING_SCOPE} is now REDUCING`, { timeout: 15_000 });
  await expect(control.locator(`tr[data-scope="${REDUCING_SCOPE}"]`)).toHaveAttribute("data-state", "REDUCING");

  // An order that reduces the position (a marketable limit on the other side) passes risk: the ticket accepts it.
  // (It goes first: the ticket's answer to it is then read before any refusal is on screen.)
  const reduced = await submitOrder(trader, {
    account: REDUCING_ACCOUNT,
    symbol: REDUCING_SYMBOL,
    side: shrink,
    type: "Limit",
    quantity: "1",
    price: await limitAround(trader, REDUCING_SYMBOL, shrink, true),
    clOrdId: uniqueId("reducing-shrink"),
  });
  expect(reduced).toContain("reducing-shrink");

  // One that grows it is refused, naming the scope, who set it, when and why.
  await fillAndSubmit(trader, {
    account: REDUCING_ACCOUNT,
    symbol: REDUCING_SYMBOL,
    side: grow,
    type: "Limit",
    quantity: "1",
    price: await limitAround(trader, REDUCING_SYMBOL, grow, false),
    clOrdId: uniqueId("reducing-grow"),
  });
  const alert = ticket(trader).getByRole("alert");
  await expect(alert).toContainText(`Rejected: TRADING_REDUCING: trading is REDUCING for ${REDUCING_SCOPE} by ${riskActor} at `, {
    timeout: 15_000,
  });
  await expect(alert).toContainText(`reason "${reason}"`);
  await expect(alert).toContainText(`${grow} 1 does not reduce the position`);
  await trader.screenshot({ path: screenshotPath("controls-reducing-refused.png") });

  // Controls shows the scope REDUCING with who and why, and the change in its history; Reset safely.
  await openControls(risk, "risk");
  const states = risk.getByRole("region", { name: "Trading state per scope" }).getByTestId("controls-states");
  const cells = rowWithCell(states, REDUCING_SCOPE).getByRole("cell");
  await expect(cells.nth(1)).toHaveText("REDUCING", { timeout: 15_000 });
  await expect(cells.nth(2)).toHaveText(riskActor);
  await expect(cells.nth(4)).toHaveText(reason);
  await expect(historyRow(risk, "TradingStateChanged", REDUCING_SCOPE).getByRole("cell").nth(4)).toHaveText(`ACTIVE → REDUCING: ${reason}`);
  await risk.screenshot({ path: screenshotPath("controls-reducing.png"), fullPage: true });
  await resetFromConsole(risk, REDUCING_SCOPE, `e2e ${drill}: REDUCING drill over, checked`);
});
