import { expect, test as setup } from "@playwright/test";
import { blotter, ROLES, signIn, storageStateFor, ticket, waitLive } from "./helpers";

// Signing in once per role keeps the suite under the sign-in rate limit; the specs reuse these sessions.
for (const role of ROLES) {
  setup(`${role} signs in through the form and sees the blotter with the ${role} badge`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.locator("header .who")).toContainText(`Demo ${role}`);
    await expect(page.locator("header .role")).toHaveText(role);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(blotter(page)).toBeVisible();
    await expect(blotter(page).getByRole("columnheader", { name: "ClOrdID" })).toBeVisible();
    await waitLive(page);
    const maySubmit = role === "trader" || role === "admin";
    await expect(ticket(page)).toHaveCount(maySubmit ? 1 : 0);
    await page.context().storageState({ path: storageStateFor(role) });
  });
}
