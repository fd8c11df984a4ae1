import { expect, test } from "@playwright/test";
import { openBlotter, screenshotPath, storageStateFor, submitLoginForm, trpcGet, uniqueId } from "./helpers";

// User administration in the console (admin): create a user with a role, change the role, disable them;
// their open session ends and they cannot sign in again; each change is in the journal. Compliance
// reads the API keys and the reference data, changing nothing.

const PASSWORD = "e2e-users-passphrase";

interface Journaled {
  events: { type: string; actor: string | null; data: Record<string, unknown> }[];
}

test.describe("users", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("an admin creates a user, changes their role and disables them; the user's session ends and sign-in is refused", async ({
    page,
    browser,
    baseURL,
  }) => {
    await openBlotter(page, "admin");
    await page.getByRole("link", { name: "Users", exact: true }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);

    const email = `${uniqueId("e2e-user").toLowerCase()}@demo.fillmore.local`;
    const form = page.getByRole("form", { name: "New user" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Name").fill("E2E User");
    await form.getByLabel("Role").selectOption("trader");
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByText(`User ${email} created as trader`)).toBeVisible();
    const row = page.locator(`tr[data-user-email="${email}"]`);
    await expect(row).toHaveAttribute("data-status", "enabled");

    // The new user signs in, in a browser of their own.
    const theirs = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    const them = await theirs.newPage();
    try {
      await them.goto("/login");
      expect(await submitLoginForm(them, email, PASSWORD)).toBe(200);
      await expect(them.locator("header .role")).toHaveText("trader", { timeout: 15_000 });

      await row.getByLabel(`Role of ${email}`).selectOption("risk");
      await expect(page.getByText(`${email}: role trader → risk`)).toBeVisible();
      await them.reload();
      await expect(them.locator("header .role")).toHaveText("risk", { timeout: 15_000 });

      // The only admin cannot demote themselves: refused, in the server's words.
      const self = page.locator("tr").filter({ hasText: "(you)" });
      await self.getByRole("combobox").selectOption("trader");
      await expect(page.locator(".banner.error")).toContainText("would leave no enabled admin");
      await expect(self.getByRole("combobox")).toHaveValue("admin");

      await row.getByRole("button", { name: `Disable ${email}` }).click();
      await row.getByRole("button", { name: `Confirm disable ${email}` }).click();
      await expect(page.getByText(`${email} disabled; 1 session ended`)).toBeVisible();
      await expect(row).toHaveAttribute("data-status", "disabled");
      await expect(row.getByText("Disabled")).toBeVisible();
      await page.screenshot({ path: screenshotPath("users.png"), fullPage: true });

      // Their session is gone: the next page load goes to the sign-in form, and signing in is refused.
      await them.reload();
      await expect(them).toHaveURL(/\/login$/, { timeout: 15_000 });
      expect(await submitLoginForm(them, email, PASSWORD)).toBe(403);
      await expect(them.locator("form p.error")).toHaveText(/this user is disabled/);
      await them.screenshot({ path: screenshotPath("users-disabled-sign-in.png") });
    } finally {
      await theirs.close();
    }

    // The journal has each change, with who acted.
    const journal = await trpcGet<Journaled>(page.request, "audit.search", {
      types: ["UserCreated", "UserRoleChanged", "UserDisabled"],
      text: email,
    });
    const mine = journal.events.filter((e) => e.data.email === email);
    expect(mine.map((e) => e.type).sort()).toEqual(["UserCreated", "UserDisabled", "UserRoleChanged"]);
    expect(mine.every((e) => e.actor === "user:admin@demo.fillmore.local")).toBe(true);
    expect(mine.find((e) => e.type === "UserRoleChanged")?.data).toMatchObject({ old: "trader", new: "risk" });
  });
});

test.describe("compliance reads administration, changes nothing", () => {
  test.use({ storageState: storageStateFor("compliance") });

  test("API keys, reference data and System are shown read only; no Users link", async ({ page }) => {
    await openBlotter(page, "compliance");
    await expect(page.getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
    await page.getByRole("link", { name: "API keys" }).click();
    const keys = page.getByRole("region", { name: "API keys" });
    await expect(keys.getByText("read only")).toBeVisible();
    await expect(keys.getByText(/^\d+ active$/)).toBeVisible();
    await expect(page.getByRole("form", { name: "New API key" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Revoke / })).toHaveCount(0);
    await page.screenshot({ path: screenshotPath("api-keys-compliance.png"), fullPage: true });

    await page.getByRole("link", { name: "Admin" }).click();
    await expect(page).toHaveURL(/\/admin\/venues$/);
    await expect(page.getByRole("table").first()).toBeVisible();
    await expect(page.getByRole("form", { name: "Venue" })).toHaveCount(0);
    await expect(page.locator("main button:enabled")).toHaveCount(0);

    await page.getByRole("link", { name: "System" }).click();
    await expect(page.getByRole("region", { name: "Processes" })).toBeVisible();
    expect((await page.request.get("/api/trpc/users.list")).status()).toBe(403);
  });
});
