import { expect, type Page, test } from "@playwright/test";
import {
  expectHalted,
  haltScopeFromConsole,
  historyRow,
  openAs,
  openControls,
  resetFromConsole,
  resetLeftovers,
  rowWithCell,
  submitApi,
  trpcPost,
} from "./controls-steps";
import {
  fillAndSubmit,
  growingSide,
  limitAround,
  loginFor,
  openBlotter,
  screenshotPath,
  storageStateFor,
  submitOrder,
  type TicketOrder,
  ticket,
  uniqueId,
  waitLive,
} from "./helpers";

// Scoped halts, the way docs/OPERATIONS.md "Emergency procedures" tells a risk user: "Halt from the
// console" with a scope (Scope, reason, actions, Preview impact, Halt <scope>), "Verify the halt took"
// (the state row with who and why, the banner, an order in scope refused naming the scope, one outside
// accepted), "Reset safely" (reason, Reset <scope>, the scope ACTIVE again). Then the role rules: a
// trader halts their own strategy and nothing else; compliance reads state and history, with no controls.
// It halts scopes, so it runs in the "exclusive" project (playwright.config.ts), serially.
// Generous: each test drives two or three pages on a small shared machine.
test.describe.configure({ mode: "serial", timeout: 180_000 });

const drill = uniqueId("scoped");
const riskActor = `user:${loginFor("risk").email}`;
const traderActor = `user:${loginFor("trader").email}`;
const STRATEGY = `${drill}-strat`.slice(0, 60);
const OWN_STRATEGY = `${drill}-own`.slice(0, 60);

/**
 * An order a case places: through the ticket (what a trader sees) or, for a strategy, the API. The
 * order outside the scope goes first and opens a fresh blotter; the one in scope follows on it.
 */
type Place = (trader: Page, inScope: boolean) => Promise<{ refused: string | null }>;

async function freshBlotter(trader: Page, inScope: boolean): Promise<void> {
  if (inScope) return;
  await openBlotter(trader, "trader");
  await waitLive(trader);
}

/** Through the ticket: the in-scope order grows the position (a halt lets reducing orders through). */
function viaTicket(
  inside: Omit<TicketOrder, "side" | "type" | "quantity">,
  outside: Omit<TicketOrder, "side" | "type" | "quantity">,
): Place {
  return async (trader, inScope) => {
    await freshBlotter(trader, inScope);
    const base = inScope ? inside : outside;
    const side = inScope ? await growingSide(trader.request, base.account ?? "ACC-ALPHA", base.symbol) : "Buy";
    const order: TicketOrder = {
      ...base,
      side,
      type: "Limit",
      quantity: "1",
      price: await limitAround(trader, base.symbol, side, false),
      clOrdId: uniqueId(inScope ? "in" : "out"),
    };
    if (!inScope) {
      await submitOrder(trader, order);
      return { refused: null };
    }
    await fillAndSubmit(trader, order);
    const alert = ticket(trader).getByRole("alert");
    await expect(alert).toContainText("Rejected: TRADING_HALTED", { timeout: 15_000 });
    return { refused: await alert.textContent() };
  };
}

/** Through the API with a strategy (the ticket has no strategy field). */
const viaApiStrategy: Place = async (trader, inScope) => {
  await freshBlotter(trader, inScope);
  const side = inScope ? await growingSide(trader.request, "ACC-ALPHA", "AAPL") : "Buy";
  const order = await submitApi(trader.request, {
    clOrdId: uniqueId(inScope ? "in" : "out"),
    accountId: "ACC-ALPHA",
    symbol: "AAPL",
    side,
    ordType: "Limit",
    orderQty: "1",
    price: await limitAround(trader, "AAPL", side, false),
    strategy: inScope ? STRATEGY : `${STRATEGY}-other`.slice(0, 64),
  });
  if (order.ordStatus === "Rejected") return { refused: `Rejected: ${order.rejectReason}` };
  return { refused: null };
};

// `label` names the test: titles must not change between runs (the strategy name is unique per run).
const CASES: { label: string; scope: string; place: Place }[] = [
  {
    label: "account",
    scope: "account:ACC-BETA",
    place: viaTicket({ account: "ACC-BETA", symbol: "MSFT" }, { account: "ACC-ALPHA", symbol: "MSFT" }),
  },
  {
    label: "symbol",
    scope: "symbol:NVDA",
    place: viaTicket({ account: "ACC-ALPHA", symbol: "NVDA" }, { account: "ACC-ALPHA", symbol: "AAPL" }),
  },
  { label: "strategy", scope: `strategy:${STRATEGY}`, place: viaApiStrategy },
  {
    label: "venue",
    scope: "venue:SIM-CHEAP",
    place: viaTicket(
      { account: "ACC-ALPHA", symbol: "AAPL", venue: "SIM-CHEAP" },
      { account: "ACC-ALPHA", symbol: "AAPL", venue: "SIM-DEEP" },
    ),
  },
];

let risk: Page;
let trader: Page;
let compliance: Page;

test.beforeAll(async ({ browser }) => {
  risk = await openAs(browser, "risk");
  trader = await openAs(browser, "trader");
  compliance = await openAs(browser, "compliance");
});

test.afterAll(async ({ playwright }) => {
  // Whatever failed above, nothing this spec halted stays halted.
  const request = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: storageStateFor("risk") });
  try {
    await resetLeftovers(request, drill);
  } finally {
    await request.dispose();
    for (const page of [risk, trader, compliance]) await page?.context().close();
  }
});

test.describe("scoped halts (runbook: halt from the console, verify, reset)", () => {
  for (const { label, scope, place } of CASES) {
    test(`${label} scope: an order in scope is refused naming it, one outside passes; reset`, async () => {
      const reason = `e2e ${drill}: halt ${scope} per runbook`;
      await openControls(risk, "risk");
      await haltScopeFromConsole(risk, scope, reason);

      // Verify the halt took: the state row (who, why), the history, the red banner.
      await expectHalted(risk, scope, riskActor, reason);
      await expect(historyRow(risk, "KillSwitchTripped", scope).getByRole("cell").nth(4)).toHaveText(
        `haltNewOrders, cancelOpenOrders: ${reason}`,
        { timeout: 15_000 },
      );
      await expect(risk.getByRole("region", { name: "Trading halted" })).toContainText(`${scope}: “${reason}” — by ${riskActor}`);
      if (label === "account") await risk.screenshot({ path: screenshotPath("controls-scoped-account.png"), fullPage: true });

      // One order outside the scope passes; one in scope is refused naming the scope, who halted it and why.
      const outside = await place(trader, false);
      expect(outside.refused).toBeNull();
      const inside = await place(trader, true);
      expect(inside.refused).toContain(`Rejected: TRADING_HALTED: trading is HALTED for ${scope} by ${riskActor} at `);
      expect(inside.refused).toContain(`reason "${reason}"`);
      if (label === "venue") await trader.screenshot({ path: screenshotPath("controls-scoped-venue-refused.png") });

      // Reset safely: a reason, Reset <scope>; the scope is ACTIVE again and the reset is in the history.
      const resetReason = `e2e ${drill}: ${scope} checked, resetting`;
      await resetFromConsole(risk, scope, resetReason);
      const reset = historyRow(risk, "KillSwitchReset", scope);
      await expect(reset.getByRole("cell").nth(3)).toHaveText(riskActor, { timeout: 15_000 });
      await expect(reset.getByRole("cell").nth(4)).toHaveText(resetReason);
    });
  }
});

test.describe("role rules", () => {
  const reason = `e2e ${drill}: trader stops own strategy`;
  const scope = `strategy:${OWN_STRATEGY}`;

  test("a trader halts their own strategy from the console; any other scope is refused, and there is no reset for them", async () => {
    // A working order with the strategy makes it the trader's (every order with it is theirs).
    await openBlotter(trader, "trader");
    await waitLive(trader);
    const working = await submitApi(trader.request, {
      clOrdId: uniqueId("own"),
      accountId: "ACC-ALPHA",
      symbol: "AAPL",
      side: "Buy",
      ordType: "Limit",
      orderQty: "1",
      price: await limitAround(trader, "AAPL", "Buy", false),
      strategy: OWN_STRATEGY,
    });
    expect(working.ordStatus).not.toBe("Rejected");
    // The console's order records catch up with the engine within a moment.
    await expect
      .poll(
        async () =>
          (await trader.request.get(`/api/trpc/controls.preview?input=${encodeURIComponent(JSON.stringify({ scope }))}`)).status(),
        {
          timeout: 15_000,
        },
      )
      .toBe(200);

    await openControls(trader, "trader");
    await expect(trader.getByRole("region", { name: "Scoped halt" })).toContainText("As a trader you may halt your own strategies only");
    const cancelled = await haltScopeFromConsole(trader, scope, reason);
    expect(cancelled, "the strategy's working order was cancelled").toBeGreaterThanOrEqual(1);
    await expectHalted(trader, scope, traderActor, reason);
    await expect(trader.getByRole("button", { name: `Reset ${scope}`, exact: true })).toHaveCount(0);
    await trader.screenshot({ path: screenshotPath("controls-trader-own-strategy.png"), fullPage: true });

    // Another scope: refused, nothing changes.
    const form = trader.getByRole("region", { name: "Scoped halt" });
    for (const [other, text] of [
      ["account:ACC-ALPHA", "role trader lacks permission controls:halt: a trader may halt only their own strategies"],
      [`strategy:${drill}-nobody`.slice(0, 70), "is not yours: you have sent no orders with it"],
    ] as const) {
      await form.getByLabel("Scope", { exact: true }).fill(other);
      await form.getByLabel("Scoped halt reason").fill(`e2e ${drill}: a trader tries ${other}`);
      await form.getByRole("button", { name: `Halt ${other}`, exact: true }).click();
      await expect(trader.getByTestId("controls-message")).toContainText(text, { timeout: 15_000 });
      await expect(rowWithCell(trader.getByTestId("controls-states"), other)).toHaveCount(0);
    }
  });

  test("compliance sees the state and the history, and no control at all; the API refuses them too", async () => {
    await openControls(compliance, "compliance");
    await expectHalted(compliance, scope, traderActor, reason);
    await expect(historyRow(compliance, "KillSwitchTripped", scope).getByRole("cell").nth(3)).toHaveText(traderActor);
    await expect(compliance.getByRole("region", { name: "Trading halted" })).toContainText(`${scope}: “${reason}” — by ${traderActor}`);
    await expect(compliance.getByRole("region", { name: "Global kill switch" })).toContainText("read only");
    await expect(compliance.getByRole("region", { name: "Scoped halt" })).toHaveCount(0);
    for (const name of [/^Reset /, /^Approve reset$/, /^Preview impact$/, /^HALT ALL TRADING$/, /^New breaker$/, /^Set switch$/, /^Edit$/])
      await expect(compliance.getByRole("button", { name })).toHaveCount(0);
    await expect(compliance.getByRole("checkbox")).toHaveCount(0);
    await compliance.screenshot({ path: screenshotPath("controls-compliance.png"), fullPage: true });

    const refused = await trpcPost(compliance.request, "controls.trip", {
      scope: "symbol:AAPL",
      actions: ["haltNewOrders"],
      reason: `e2e ${drill}: compliance must not halt`,
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("role compliance lacks permission controls:halt");
    const reset = await trpcPost(compliance.request, "controls.reset", { scope, reason: `e2e ${drill}: compliance must not reset` });
    expect(reset.status).toBe(403);

    // Risk resets the trader's strategy (runbook: Reset safely).
    await openControls(risk, "risk");
    await resetFromConsole(risk, scope, `e2e ${drill}: own-strategy drill over`);
  });
});
