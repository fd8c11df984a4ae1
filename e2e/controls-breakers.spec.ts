import { expect, type Page, test } from "@playwright/test";
import { expectHalted, historyRow, openAs, openControls, resetFromConsole, resetLeftovers, submitApi, trpcPost } from "./controls-steps";
import { growingSide, limitAround, openBlotter, screenshotPath, storageStateFor, trpcGet, uniqueId, waitLive } from "./helpers";

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
// The breaker watches the drill's own strategy in the account (a demo-strategy fill in the account had
// tripped an account-wide one before the page read "armed").
const DRILL_STRATEGY = `${drill}-s`;
const BREAKER_SCOPE = `account:${ACCOUNT}/strategy:${DRILL_STRATEGY}`;

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
    await resetLeftovers(request, drill, [BREAKER_SCOPE, SWITCH_SCOPE]);
  } finally {
    await request.dispose();
    for (const page of [risk, trader]) await page?.context().close();
  }
});

test("risk configures a positionSize breaker; a fill beyond it halts the scope, shown with the values that fired it", async () => {
  // The breaker watches the drill's own strategy in the account: its position starts flat, so only
  // the drill's fill can take it past the threshold (the demo strategy trades this account too).
  const threshold = 5;
  await openBlotter(trader, "trader");
  await waitLive(trader);

  // Configure: New breaker, condition, scope, threshold, N = 1, enabled, the default actions; Save.
  await openControls(risk, "risk");
  const section = risk.getByRole("region", { name: "Circuit breakers" });
  await section.getByRole("button", { name: "New breaker" }).click();
  const editor = section.getByTestId("breaker-editor");
  await editor.getByLabel("Breaker name").fill(BREAKER);
  await editor.getByLabel("Condition").selectOption("positionSize");
  await editor.getByLabel("Breaker scope").fill(BREAKER_SCOPE);
  await editor.getByLabel(/^Threshold/).fill(String(threshold));
  await editor.getByLabel("N readings").fill("1");
  await editor.getByLabel("Hysteresis (0–0.99)").fill("0.99");
  await editor.getByRole("checkbox", { name: "enabled", exact: true }).check();
  await editor.getByRole("button", { name: "Save breaker" }).click();
  await expect(section.getByTestId("breakers-message")).toHaveText(`breaker ${BREAKER} saved and armed`, { timeout: 15_000 });

  // Listed: condition, scope, threshold, state armed, actions, never tripped.
  const row = section.getByTestId(`breaker-${BREAKER}`);
  const cells = row.getByRole("cell");
  await expect(cells.nth(1)).toHaveText("positionSize");
  await expect(cells.nth(2)).toHaveText(BREAKER_SCOPE);
  await expect(cells.nth(3)).toHaveText(`${threshold} units`);
  await expect(cells.nth(6)).toHaveText("armed", { timeout: 15_000 });
  await expect(cells.nth(7)).toHaveText("haltNewOrders, cancelOpenOrders, notifyRiskTeam");
  await expect(section.getByTestId(`breaker-${BREAKER}-trip`)).toHaveText("never");
  await risk.screenshot({ path: screenshotPath("controls-breaker-armed.png"), fullPage: true });

  // A market order of 10 in the strategy takes its position past the threshold when it fills.
  const order = await submitApi(trader.request, {
    clOrdId: uniqueId("breach"),
    accountId: ACCOUNT,
    symbol: "AAPL",
    side: "Buy",
    ordType: "Market",
    orderQty: "10",
    strategy: DRILL_STRATEGY,
  });
  expect(order.ordStatus, order.rejectReason ?? "").not.toBe("Rejected");

  // The console shows the trip: the condition, the value that fired it against the threshold, the scope it halted.
  const trip = section.getByTestId(`breaker-${BREAKER}-trip`);
  await expect(trip).toHaveText(
    new RegExp(
      `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ: positionSize value \\d+(\\.\\d+)? > threshold ${threshold} after 1 reading\\(s\\) → ${BREAKER_SCOPE} \\(`,
    ),
    { timeout: 20_000 },
  );
  const fired = Number(/value ([\d.]+) >/.exec((await trip.textContent()) ?? "")?.[1]);
  expect(fired, "the value that fired it is beyond the threshold").toBeGreaterThan(threshold);
  await expect(cells.nth(6)).toHaveText(/^tripped/);

  // Verify the halt took: the scope HALTED by breaker:<name> with the condition and values as the reason.
  const breakerActor = `breaker:${BREAKER}`;
  await expectHalted(risk, BREAKER_SCOPE, breakerActor, new RegExp(`^positionSize breached: value [\\d.]+ > threshold ${threshold} `));
  await expect(historyRow(risk, "KillSwitchTripped", BREAKER_SCOPE).getByRole("cell").nth(3)).toHaveText(breakerActor, {
    timeout: 15_000,
  });
  await expect(risk.getByRole("region", { name: "Trading halted" })).toContainText(`${BREAKER_SCOPE}: “positionSize breached`);
  await risk.screenshot({ path: screenshotPath("controls-breaker-tripped.png"), fullPage: true });

  // A new order in the scope that grows the position is refused, naming the breaker.
  const refused = await submitApi(trader.request, {
    clOrdId: uniqueId("after-trip"),
    accountId: ACCOUNT,
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "1",
    price: await limitAround(trader, "AAPL", "Buy", false),
    strategy: DRILL_STRATEGY,
  });
  expect(refused.ordStatus).toBe("Rejected");
  expect(refused.rejectReason ?? "").toContain(`TRADING_HALTED: trading is HALTED for ${BREAKER_SCOPE} by ${breakerActor} at `);

  // Reset safely: the breaker off first (it would stay tripped, not trip again, but the drill is over), then the scope.
  // A controlled checkbox: it turns off once the engine has saved the config and the list is read again.
  await section.getByRole("checkbox", { name: `Enable ${BREAKER}` }).click();
  await expect(section.getByTestId("breakers-message")).toHaveText(`breaker ${BREAKER} saved (disabled)`, { timeout: 15_000 });
  await expect(cells.nth(6)).toHaveText("disabled", { timeout: 15_000 });
  await resetFromConsole(risk, BREAKER_SCOPE, `e2e ${drill}: breaker drill over, position checked`);
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
