import { expect, type Page, test } from "@playwright/test";
import { expectHalted, historyRow, openAs, openControls, resetFromConsole, resetLeftovers, submitApi, trpcPost } from "./controls-steps";
import {
  fillAndSubmit,
  growingSide,
  limitAround,
  openBlotter,
  screenshotPath,
  storageStateFor,
  ticket,
  trpcGet,
  uniqueId,
  waitLive,
} from "./helpers";

// Automatic trips, configured and watched on the Controls page: a circuit breaker set by risk and
// tripped by a real fill, shown with the condition and the values that fired it; a dead-man's switch
// whose heartbeats stop. Both halt a scope; the checks and the reset follow docs/OPERATIONS.md
// "Emergency procedures" ("Verify the halt took", "Reset safely"). Runs in the "exclusive" project.
// Generous: each test drives three pages on a small shared machine.
test.describe.configure({ mode: "serial", timeout: 180_000 });

const drill = uniqueId("brk");
const ACCOUNT = "ACC-GAMMA";
const BREAKER = `${drill}-pos`;
const SWITCH = `strategy:${drill}-dm`;
const SWITCH_SCOPE = SWITCH;
// The demo strategy trades this account too: held during the breaker drill, so that only the drill's
// own fill can take the position past the threshold (a demo fill had tripped it before the page read it).
const DEMO_SCOPE = "strategy:demo";

let risk: Page;
let trader: Page;

test.beforeAll(async ({ browser }) => {
  risk = await openAs(browser, "risk");
  trader = await openAs(browser, "trader");
});

test.afterAll(async ({ playwright }) => {
  // Whatever failed above: the breaker and the switch off, their halts reset.
  const request = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: storageStateFor("risk") });
  try {
    // Off with its config kept (the list shows what was set and its last trip).
    const list = await trpcGet<{ breakers: { name: string; config: Record<string, unknown> }[] }>(request, "controls.breakers.list");
    const mine = list.breakers.find((b) => b.name === BREAKER);
    if (mine) await trpcPost(request, "controls.breakers.set", { name: BREAKER, config: { ...mine.config, enabled: false } });
    await trpcPost(request, "controls.deadman.set", { id: SWITCH, config: { enabled: false, timeoutMs: 3000 } });
    await resetLeftovers(request, drill, [`account:${ACCOUNT}`, SWITCH_SCOPE, DEMO_SCOPE]);
  } finally {
    await request.dispose();
    for (const page of [risk, trader]) await page?.context().close();
  }
});

/** The symbol with the account's largest absolute position (the positionSize reading), and that size. */
async function largestPosition(page: Page): Promise<{ symbol: string; qty: number }> {
  const snapshot = await trpcGet<{ rows: { symbol: string; qty: string }[] }>(page.request, "positions.snapshot", {
    accountIds: [ACCOUNT],
  });
  const bySymbol = new Map<string, number>();
  for (const r of snapshot.rows) bySymbol.set(r.symbol, (bySymbol.get(r.symbol) ?? 0) + Number(r.qty));
  let best = { symbol: "AAPL", qty: 0 };
  for (const [symbol, qty] of bySymbol) if (Math.abs(qty) > Math.abs(best.qty)) best = { symbol, qty };
  return best;
}

test("risk configures a positionSize breaker; a fill beyond it halts the account, shown with the values that fired it", async () => {
  const held = await trpcPost(risk.request, "controls.trip", {
    scope: DEMO_SCOPE,
    // Its resting orders too: one filling during the drill would move the position as much.
    actions: ["haltNewOrders", "cancelOpenOrders"],
    reason: `e2e ${drill}: the demo strategy held during the breaker drill`,
  });
  expect(held.status, held.text).toBe(200);
  await openBlotter(trader, "trader");
  await waitLive(trader);
  const largest = await largestPosition(trader);
  const threshold = Math.floor(Math.abs(largest.qty)) + 3;

  // Configure: New breaker, condition, scope, threshold, N = 1, enabled, the default actions; Save.
  await openControls(risk, "risk");
  const section = risk.getByRole("region", { name: "Circuit breakers" });
  await section.getByRole("button", { name: "New breaker" }).click();
  const editor = section.getByTestId("breaker-editor");
  await editor.getByLabel("Breaker name").fill(BREAKER);
  await editor.getByLabel("Condition").selectOption("positionSize");
  await editor.getByLabel("Breaker scope").fill(`account:${ACCOUNT}`);
  await editor.getByLabel(/^Threshold/).fill(String(threshold));
  await editor.getByLabel("N readings").fill("1");
  // The demo strategy trades this account too, and reducing orders pass a halt: with the default
  // hysteresis (0.1) one of its fills could re-arm the breaker before the page is read. 0.99 keeps
  // it tripped until the position is nearly flat.
  await editor.getByLabel("Hysteresis (0–0.99)").fill("0.99");
  await editor.getByRole("checkbox", { name: "enabled", exact: true }).check();
  await editor.getByRole("button", { name: "Save breaker" }).click();
  await expect(section.getByTestId("breakers-message")).toHaveText(`breaker ${BREAKER} saved and armed`, { timeout: 15_000 });

  // Listed: condition, scope, threshold, state armed, actions, never tripped.
  const row = section.getByTestId(`breaker-${BREAKER}`);
  const cells = row.getByRole("cell");
  await expect(cells.nth(1)).toHaveText("positionSize");
  await expect(cells.nth(2)).toHaveText(`account:${ACCOUNT}`);
  await expect(cells.nth(3)).toHaveText(`${threshold} units`);
  await expect(cells.nth(6)).toHaveText("armed", { timeout: 15_000 });
  await expect(cells.nth(7)).toHaveText("haltNewOrders, cancelOpenOrders, notifyRiskTeam");
  await expect(section.getByTestId(`breaker-${BREAKER}-trip`)).toHaveText("never");
  await risk.screenshot({ path: screenshotPath("controls-breaker-armed.png"), fullPage: true });

  // A market order that grows the largest position by 10 takes it past the threshold when it fills.
  const side = largest.qty < 0 ? "Sell" : "Buy";
  const order = await submitApi(trader.request, {
    clOrdId: uniqueId("breach"),
    accountId: ACCOUNT,
    symbol: largest.symbol,
    side,
    ordType: "Market",
    orderQty: largest.symbol === "EURUSD" ? "1000" : "10",
  });
  expect(order.ordStatus, order.rejectReason ?? "").not.toBe("Rejected");

  // The console shows the trip: the condition, the value that fired it against the threshold, the scope it halted.
  const trip = section.getByTestId(`breaker-${BREAKER}-trip`);
  await expect(trip).toHaveText(
    new RegExp(
      `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ: positionSize value \\d+(\\.\\d+)? > threshold ${threshold} after 1 reading\\(s\\) → account:${ACCOUNT} \\(`,
    ),
    { timeout: 20_000 },
  );
  const fired = Number(/value ([\d.]+) >/.exec((await trip.textContent()) ?? "")?.[1]);
  expect(fired, "the value that fired it is beyond the threshold").toBeGreaterThan(threshold);
  await expect(cells.nth(6)).toHaveText(/^tripped/);

  // Verify the halt took: the account HALTED by breaker:<name> with the condition and values as the reason.
  const breakerActor = `breaker:${BREAKER}`;
  await expectHalted(
    risk,
    `account:${ACCOUNT}`,
    breakerActor,
    new RegExp(`^positionSize breached: value [\\d.]+ > threshold ${threshold} `),
  );
  await expect(historyRow(risk, "KillSwitchTripped", `account:${ACCOUNT}`).getByRole("cell").nth(3)).toHaveText(breakerActor, {
    timeout: 15_000,
  });
  await expect(risk.getByRole("region", { name: "Trading halted" })).toContainText(`account:${ACCOUNT}: “positionSize breached`);
  await risk.screenshot({ path: screenshotPath("controls-breaker-tripped.png"), fullPage: true });

  // A trader's order in the account that grows the position is refused, naming the breaker (the
  // blotter opened above; its ticket has sent nothing yet).
  const symbol = largest.symbol === "EURUSD" ? "AAPL" : largest.symbol;
  // An order that grows the position (one that reduces it still passes a halt).
  const grow = await growingSide(trader.request, ACCOUNT, symbol);
  await fillAndSubmit(trader, {
    account: ACCOUNT,
    symbol,
    side: grow,
    type: "Limit",
    quantity: "1",
    price: await limitAround(trader, symbol, grow, false),
    clOrdId: uniqueId("after-trip"),
  });
  const alert = ticket(trader).getByRole("alert");
  await expect(alert).toContainText(`Rejected: TRADING_HALTED: trading is HALTED for account:${ACCOUNT} by ${breakerActor} at `, {
    timeout: 15_000,
  });
  await expect(alert).toContainText('reason "positionSize breached');

  // Reset safely: the breaker off first (it would stay tripped, not trip again, but the drill is over), then the account.
  // A controlled checkbox: it turns off once the engine has saved the config and the list is read again.
  await section.getByRole("checkbox", { name: `Enable ${BREAKER}` }).click();
  await expect(section.getByTestId("breakers-message")).toHaveText(`breaker ${BREAKER} saved (disabled)`, { timeout: 15_000 });
  await expect(cells.nth(6)).toHaveText("disabled", { timeout: 15_000 });
  await resetFromConsole(risk, `account:${ACCOUNT}`, `e2e ${drill}: breaker drill over, position checked`);
  const released = await trpcPost(risk.request, "controls.reset", { scope: DEMO_SCOPE, reason: `e2e ${drill}: breaker drill over` });
  expect(released.status, released.text).toBe(200);
});

test("a dead-man's switch whose heartbeats stop cancels the strategy's orders and halts it, visible on Controls", async () => {
  // Configure: strategy id, a 3 s timeout, the default scope (the strategy itself).
  await openControls(risk, "risk");
  const section = risk.getByRole("region", { name: "Dead-man's switches" });
  await section.getByLabel("Dead-man id").fill(SWITCH);
  await section.getByLabel("Dead-man timeout").fill("3");
  await section.getByRole("button", { name: "Set switch" }).click();
  await expect(section.getByTestId("deadman-message")).toHaveText(`dead-man's switch ${SWITCH} saved`, { timeout: 15_000 });
  const row = section.getByTestId(`deadman-${SWITCH}`);
  const cells = row.getByRole("cell");
  await expect(cells.nth(1)).toHaveText("3 s");
  await expect(cells.nth(2)).toHaveText(`${SWITCH_SCOPE} (haltNewOrders, cancelOpenOrders, notifyRiskTeam)`);
  await expect(cells.nth(3)).toHaveText("waiting");

  // The strategy works an order and sends one heartbeat (it arms the switch), then goes silent.
  await openBlotter(trader, "trader");
  await waitLive(trader);
  const strategy = SWITCH.slice("strategy:".length);
  const working = await submitApi(trader.request, {
    clOrdId: uniqueId("dm"),
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "1",
    price: await limitAround(trader, "AAPL", "Buy", false),
    strategy,
  });
  expect(working.ordStatus, working.rejectReason ?? "").not.toBe("Rejected");
  const beat = await trpcPost(trader.request, "controls.deadman.heartbeat", { id: SWITCH });
  expect(beat.status, beat.text).toBe(200);

  // After the timeout: fired, the order cancelled, the strategy HALTED by deadman:<id>.
  await expect(cells.nth(3)).toHaveText("fired", { timeout: 20_000 });
  await expect(cells.nth(5)).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: silent \d+ ms, [1-9]\d* orders cancelled$/);
  await expect
    .poll(
      async () =>
        (await trpcGet<{ order: { ordStatus: string } }>(trader.request, "orders.get", { orderId: working.orderId })).order.ordStatus,
      {
        timeout: 15_000,
      },
    )
    .toBe("Cancelled");
  const actor = `deadman:${SWITCH}`;
  await expectHalted(
    risk,
    SWITCH_SCOPE,
    actor,
    new RegExp(`^dead-man's switch: no heartbeat from ${SWITCH} for \\d+ ms \\(timeout 3000 ms\\)`),
  );
  await expect(risk.getByRole("region", { name: "Trading halted" })).toContainText(`${SWITCH_SCOPE}: “dead-man's switch`);
  await risk.screenshot({ path: screenshotPath("controls-deadman-fired.png"), fullPage: true });

  // An order of the strategy that grows the position is refused naming the scope and the switch.
  const side = await growingSide(trader.request, "ACC-ALPHA", "AAPL");
  const refused = await submitApi(trader.request, {
    clOrdId: uniqueId("dm-after"),
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side,
    ordType: "Limit",
    orderQty: "1",
    price: await limitAround(trader, "AAPL", side, false),
    strategy,
  });
  expect(refused.ordStatus).toBe("Rejected");
  expect(refused.rejectReason).toContain(`TRADING_HALTED: trading is HALTED for ${SWITCH_SCOPE} by ${actor} at `);

  // Reset safely: the switch off, then the strategy.
  await section.getByRole("checkbox", { name: `Enable ${SWITCH}` }).click();
  await expect(section.getByTestId("deadman-message")).toHaveText(`dead-man's switch ${SWITCH} saved`, { timeout: 15_000 });
  await expect(cells.nth(3)).toHaveText("disabled", { timeout: 15_000 });
  await resetFromConsole(risk, SWITCH_SCOPE, `e2e ${drill}: dead-man drill over`);
});
