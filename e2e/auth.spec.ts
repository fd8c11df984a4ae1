import { expect, test } from "@playwright/test";
import { loginFor, screenshotPath, signIn, submitLoginForm } from "./helpers";

test.describe("sign in", () => {
  test("a wrong password shows an error and stays on the login page", async ({ page }) => {
    const { email } = loginFor("trader");
    await page.goto("/login");
    const form = page.getByRole("form", { name: "Sign in" });
    await expect(form).toBeVisible();
    await page.screenshot({ path: screenshotPath("login.png"), fullPage: true });
    const status = await submitLoginForm(page, email, "definitely-not-the-password");
    expect(status).toBe(401);
    const alert = form.getByRole("alert");
    await expect(alert).toHaveText(/invalid email or password/i);
    await expect(page).toHaveURL(/\/login$/);
    await expect(form.getByRole("button", { name: "Sign in" })).toBeEnabled();
    // Still signed out: the blotter page sends us back to the login form.
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.request.get("/api/trpc/session.me")).status()).toBe(401);
  });

  test("sign out returns to the login page and ends the session", async ({ page }) => {
    await signIn(page, "risk");
    expect((await page.request.get("/api/trpc/session.me")).status()).toBe(200);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.request.get("/api/trpc/session.me")).status()).toBe(401);
  });
});
