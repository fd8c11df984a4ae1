"use client";
import { can, type Role } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { RoleOptions } from "../../../components/admin/role-options";
import { AppHeader } from "../../../components/app-header";
import { Notices } from "../../../components/notices";
import { useTRPC } from "../../../lib/trpc";

function formatWhen(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : "—";
}

/** Admins list users, create them with a role, change a role and disable a user; every change is journaled. */
export default function UsersPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false }));
  const isAdmin = me.data ? can(me.data.role, "admin:users") : false;
  const users = useQuery(trpc.users.list.queryOptions(undefined, { enabled: isAdmin, retry: false }));
  const create = useMutation(trpc.users.create.mutationOptions());
  const setRole = useMutation(trpc.users.setRole.mutationOptions());
  const disable = useMutation(trpc.users.disable.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    if (me.error?.data?.code === "UNAUTHORIZED") router.replace("/login");
  }, [me.error, router]);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;

  /** Runs a change; the banner says what happened or why it was refused (the server's words). */
  async function change(run: () => Promise<string>) {
    try {
      const done = await run();
      setNotice(done);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setNotice(null);
    }
    await users.refetch();
  }

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    return change(async () => {
      const { user } = await create.mutateAsync({
        email: String(form.get("email") ?? ""),
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? "trader") as Role,
        password: String(form.get("password") ?? ""),
      });
      formElement.reset();
      return `User ${user.email} created as ${user.role}`;
    });
  }

  function onRole(userId: string, email: string, next: Role) {
    return change(async () => {
      const result = await setRole.mutateAsync({ userId, role: next });
      return result.changed ? `${email}: role ${result.old} → ${result.user.role}` : `${email} is already ${next}`;
    });
  }

  function onDisable(userId: string, email: string) {
    if (confirming !== userId) {
      setConfirming(userId);
      return;
    }
    setConfirming(null);
    return change(async () => {
      const result = await disable.mutateAsync({ userId });
      return `${email} disabled; ${result.sessionsRevoked} session${result.sessionsRevoked === 1 ? "" : "s"} ended`;
    });
  }

  const busy = create.isPending || setRole.isPending || disable.isPending;
  const list = users.data?.users ?? [];

  return (
    <>
      <AppHeader name={me.data.name} role={role} />
      <Notices>
        {error && (
          <div className="banner error" role="alert">
            {error}
          </div>
        )}
        {notice && (
          <output className="banner" style={{ display: "block", background: "var(--panel-2)", color: "var(--buy)" }}>
            {notice}
          </output>
        )}
      </Notices>
      {!isAdmin ? (
        <main className="layout">
          <section className="card" aria-label="Users">
            <h2>Users</h2>
            <p className="error">Not permitted: administering users needs the admin role (you are {role}).</p>
          </section>
        </main>
      ) : (
        <main className="layout with-ticket">
          <form className="card ticket" onSubmit={onCreate} aria-label="New user">
            <h2>New user</h2>
            <label>
              Email
              <input name="email" type="email" required maxLength={320} autoComplete="off" />
            </label>
            <label>
              Name
              <input name="name" required maxLength={128} autoComplete="off" />
            </label>
            <label>
              Role
              <select name="role" defaultValue="trader">
                <RoleOptions />
              </select>
            </label>
            <label>
              Password
              <input name="password" type="password" required minLength={10} maxLength={256} autoComplete="new-password" />
            </label>
            <p className="muted" style={{ margin: 0 }}>
              At least 10 characters; hand it over yourself. It is never shown again or journaled.
            </p>
            <button type="submit" className="primary" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create user"}
            </button>
          </form>
          <section className="card blotter" aria-label="Users">
            <div className="toolbar">
              <h2>Users</h2>
              <span className="muted">{users.data ? `${list.filter((u) => !u.disabledAt).length} enabled` : ""}</span>
            </div>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Email</th>
                    <th>Name</th>
                    <th>Role</th>
                    <th>Sessions</th>
                    <th>Created</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.map((u) => (
                    <tr key={u.id} data-user-email={u.email} data-status={u.disabledAt ? "disabled" : "enabled"}>
                      <td className="strong">
                        {u.email}
                        {u.email === me.data.email && <span className="muted"> (you)</span>}
                      </td>
                      <td>{u.name}</td>
                      <td>
                        {u.disabledAt ? (
                          u.role
                        ) : (
                          <select
                            aria-label={`Role of ${u.email}`}
                            value={u.role}
                            disabled={busy}
                            onChange={(e) => onRole(u.id, u.email, e.target.value as Role)}
                          >
                            <RoleOptions />
                          </select>
                        )}
                      </td>
                      <td className="mono">{u.sessions}</td>
                      <td>{formatWhen(u.createdAt)}</td>
                      <td>
                        {u.disabledAt ? (
                          <span className="status status-cancelled" title={`${formatWhen(u.disabledAt)} by ${u.disabledBy ?? "?"}`}>
                            Disabled
                          </span>
                        ) : (
                          <span className="status status-accepted">Enabled</span>
                        )}
                      </td>
                      <td>
                        {!u.disabledAt && (
                          <button
                            type="button"
                            className="small"
                            aria-label={confirming === u.id ? `Confirm disable ${u.email}` : `Disable ${u.email}`}
                            disabled={busy}
                            onClick={() => onDisable(u.id, u.email)}
                            onBlur={() => setConfirming((c) => (c === u.id ? null : c))}
                          >
                            {confirming === u.id ? "Confirm disable" : "Disable"}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                  {users.data && list.length === 0 && (
                    <tr>
                      <td colSpan={7} className="empty">
                        No users.
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </section>
        </main>
      )}
    </>
  );
}
