import { expect, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor } from "./helpers";

interface TrpcAnswer {
  result?: { data: { order: { orderId: string; accountId: string; createdBy?: string }; duplicate: boolean } };
  error?: { message: string; data: { code: string; httpStatus: number } };
}

function limitOrder(accountId: string) {
  return {
    clOrdId: `e2e-key-${accountId}-${Date.now().toString(36)}`,
    accountId,
    symbol: "AAPL",
    side: "Buy",
    ordType: "Limit",
    orderQty: "1",
    price: "180.00",
    timeInForce: "DAY",
  };
}

test.describe("API keys", () => {
  test.describe("as admin", () => {
    // The admin signed in through the form in the setup project (signIn); reusing that session keeps
    // the suite under the sign-in rate limit.
    test.use({ storageState: storageStateFor("admin") });

    test("an admin creates an account-scoped key, a program trades with it, and revoking it locks the program out", async ({
      page,
      playwright,
      baseURL,
    }) => {
      await openBlotter(page, "admin");
      await page.getByRole("link", { name: "API keys" }).click();
      await expect(page).toHaveURL(/\/admin\/api-keys$/);

      const name = `e2e-alpha-${Date.now().toString(36)}`;
      const form = page.getByRole("form", { name: "New API key" });
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Role").selectOption("trader");
      await form.getByRole("checkbox", { name: /ACC-ALPHA/ }).check();
      await form.getByRole("button", { name: "Create key" }).click();

      const secretBox = page.getByTestId("api-key-secret");
      await expect(secretBox).toHaveText(/^fm_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
      await expect(page.getByText(/shown only this once/)).toBeVisible();
      const key = ((await secretBox.textContent()) ?? "").trim();
      const row = page.locator(`tr[data-key-name="${name}"]`);
      await expect(row).toHaveAttribute("data-status", "active");
      await expect(row).toContainText("ACC-ALPHA");
      await expect(row).toContainText(`fm_${key.slice(3, 11)}_…`);

      // A program: no cookies, only the key.
      const program = await playwright.request.newContext({ baseURL });
      const headers = { authorization: `Bearer ${key}` };
      try {
        const ok = await program.post("/api/trpc/orders.submit", { headers, data: limitOrder("ACC-ALPHA") });
        const okBody = (await ok.json()) as TrpcAnswer;
        expect(ok.status(), JSON.stringify(okBody)).toBe(200);
        expect(okBody.result?.data.order.accountId).toBe("ACC-ALPHA");
        expect(okBody.result?.data.order.orderId).toBeTruthy();

        const other = await program.post("/api/trpc/orders.submit", { headers, data: limitOrder("ACC-BETA") });
        expect(other.status()).toBe(403);
        expect(((await other.json()) as TrpcAnswer).error?.message).toMatch(/ACC-BETA/);

        const me = await program.get("/api/trpc/session.me", { headers });
        expect(me.status()).toBe(200);
        expect(await me.json()).toMatchObject({ result: { data: { kind: "apiKey", name, role: "trader", accountIds: ["ACC-ALPHA"] } } });

        await row.getByRole("button", { name: `Revoke ${name}` }).click();
        await row.getByRole("button", { name: `Confirm revoke ${name}` }).click();
        await expect(row).toHaveAttribute("data-status", "revoked");
        await expect(row).toContainText("Revoked");
        await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

        const refused = await program.post("/api/trpc/orders.submit", { headers, data: limitOrder("ACC-ALPHA") });
        expect(refused.status()).toBe(401);
        expect((await program.get("/api/trpc/session.me", { headers })).status()).toBe(401);
      } finally {
        await program.dispose();
      }
      await page.screenshot({ path: screenshotPath("api-keys.png"), fullPage: true });
    });
  });

  test.describe("as trader", () => {
    test.use({ storageState: storageStateFor("trader") });

    test("a trader sees no API keys link and is not permitted on the page", async ({ page }) => {
      await openBlotter(page, "trader");
      await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);
      await page.goto("/admin/api-keys");
      await expect(page.getByText(/Not permitted/)).toBeVisible();
      await expect(page.getByRole("form", { name: "New API key" })).toHaveCount(0);
      expect((await page.request.get("/api/trpc/admin.apiKeys.list")).status()).toBe(403);
    });
  });
});
