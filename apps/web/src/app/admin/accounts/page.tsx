"use client";
import { AccountsAdmin } from "../../../components/admin/accounts-admin";
import { AdminShell } from "../../../components/admin/admin-shell";

/** Admin → Accounts: changes apply at once, without a restart, journaled with who and why. */
export default function AdminAccountsPage() {
  return <AdminShell title="Accounts">{({ canWrite }) => <AccountsAdmin canWrite={canWrite} />}</AdminShell>;
}
