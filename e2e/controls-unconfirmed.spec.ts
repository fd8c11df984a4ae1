import { expect, type Locator, type Page, test } from "@playwright/test";
import { failEngineState, openAs, openControls, resetFromConsole, resetLeftovers, trpcPost } from "./controls-steps";
import { screenshotPath, storageStateFor, uniqueId } from "./helpers";

// docs/OPERATIONS.md "Halt from the console": if the console cannot confirm the engine's state, the
// Controls page says so and disables its controls rather than guess (use the CLI then). The engine's
// answer to the page's state call (controls.state) is made to fail in the browser, as when the engine
// is out of reach; then it is let through again and the controls come back. A scope is halted first so
// that a Reset button is on the page too. Runs in the "exclusive" project (it halts a scope).
test.describe.configure({ mode: "serial", timeout: 120_000 });

const drill = uniqueId("unconfirmed");
const SCOPE = "account:ACC-ALPHA/symbol:EURUSD";
const BLOCKED = `engine is not reachable (${drill}: the state call is blocked)`;

let risk: Page;

test.beforeAll(async ({ browser }) => {
  risk = await openAs(browser, "risk");
});

test.afterAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: storageStateFor("risk") });
  try {
    await resetLeftovers(request, drill, [SCOPE]);
  } finally {
    await request.dispose();
    await risk?.context().close();
  }
});

/** The accessible names of the controls on the page (buttons and checkboxes in main) that are enabled. */
const enabledControls = (main: Locator) =>
  main
    .locator("button, input[type=checkbox]")
    .evaluateAll((els) =>
      els
        .filter((el) => !(el as HTMLButtonElement | HTMLInputElement).disabled)
        .map((el) => el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.outerHTML),
    );

test("the Controls page says when it cannot confirm the engine's state and disables every control; they come back with the answer", async () => {
  const tripped = await trpcPost(risk.request, "controls.trip", {
    scope: SCOPE,
    actions: ["haltNewOrders"],
    reason: `e2e ${drill}: a halted scope for the Reset button`,
  });
  expect(tripped.status, tripped.text).toBe(200);

  // Confirmed: the page has the engine's answer and its controls are on (with a scope and reasons typed).
  await openControls(risk, "risk");
  const main = risk.locator("main");
  const states = risk.getByRole("region", { name: "Trading state per scope" });
  const form = risk.getByRole("region", { name: "Scoped halt" });
  await states.getByLabel("Reset reason").fill(`e2e ${drill}: reset once confirmed`);
  await form.getByLabel("Scope", { exact: true }).fill("symbol:NVDA");
  await form.getByLabel("Scoped halt reason").fill(`e2e ${drill}: never sent`);
  const reset = states.getByRole("button", { name: `Reset ${SCOPE}`, exact: true });
  const halt = form.getByRole("button", { name: "Halt symbol:NVDA", exact: true });
  const globalPreview = risk.getByRole("region", { name: "Global kill switch" }).getByRole("button", { name: "Preview impact" });
  for (const control of [reset, halt, globalPreview]) await expect(control).toBeEnabled();

  // The engine's state cannot be confirmed: the page says so, names the way out, and every control is off.
  const letThrough = await failEngineState(risk, BLOCKED);
  const banner = risk.getByTestId("controls-unconfirmed");
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText(`The console cannot confirm the engine's trading state: ${BLOCKED}. Controls are disabled`);
  await expect(banner).toContainText('npm run halt -- --scope global --reason "…" on the engine host');
  await expect.poll(() => enabledControls(main), { timeout: 10_000 }).toEqual([]);
  for (const control of [reset, halt, globalPreview]) await expect(control).toBeDisabled();
  await expect(risk.getByRole("region", { name: "Circuit breakers" }).getByRole("button", { name: "New breaker" })).toBeDisabled();
  await expect(risk.getByRole("region", { name: "Dead-man's switches" }).getByRole("button", { name: "Set switch" })).toBeDisabled();
  for (const box of await main.getByRole("checkbox").all()) await expect(box).toBeDisabled();
  await risk.screenshot({ path: screenshotPath("controls-unconfirmed.png"), fullPage: true });

  // The answer gets through again: the banner goes, the controls come back, and the reset works.
  await letThrough();
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
  for (const control of [reset, halt, globalPreview]) await expect(control).toBeEnabled();
  await resetFromConsole(risk, SCOPE, `e2e ${drill}: state confirmed again, reset`);
});
