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

const rowLabel = { flexDirection: "row", alignItems: "center", gap: 6, color: "var(--text)" } as const;

/** Admins create and revoke the API keys programs use (`Authorization: Bearer fm_…`); compliance reads the list. */
export default function ApiKeysPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false }));
  const isAdmin = me.data ? can(me.data.role, "admin:apikeys") : false;
  const canRead = me.data ? can(me.data.role, "apikeys:read") : false;
  const keys = useQuery(trpc.admin.apiKeys.list.queryOptions(undefined, { enabled: canRead, retry: false }));
  const reference = useQuery(trpc.reference.get.queryOptions(undefined, { enabled: isAdmin }));
  const create = useMutation(trpc.admin.apiKeys.create.mutationOptions());
  const revoke = useMutation(trpc.admin.apiKeys.revoke.mutationOptions());
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    if (me.error?.data?.code === "UNAUTHORIZED") router.replace("/login");
  }, [me.error, router]);

  if (!me.data) return <main className="loading">{me.error ? me.error.message : "Loading…"}</main>;
  const role = me.data.role;

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      const result = await create.mutateAsync({
        name: String(form.get("name") ?? "").trim(),
        role: String(form.get("role") ?? "trader") as Role,
        accountIds: form.getAll("accountIds").map(String),
      });
      setCreated({ name: result.key.name, secret: result.secret });
      setCopied(false);
      setError(null);
      formElement.reset();
      await keys.refetch();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  async function onRevoke(id: string) {
    if (confirming !== id) {
      setConfirming(id);
      return;
    }
    setConfirming(null);
    try {
      await revoke.mutateAsync({ id });
      setError(null);
      await keys.refetch();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  async function copySecret(secret: string) {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const accounts = reference.data?.accounts ?? [];

  return (
    <>
      <AppHeader name={me.data.name} role={role} />
      <Notices>
        {error && (
          <div className="banner error" role="alert">
            {error}
          </div>
        )}
      </Notices>
      {!canRead ? (
        <main className="layout">
          <section className="card" aria-label="API keys">
            <h2>API keys</h2>
            <p className="error">Not permitted: API keys are for the admin and compliance roles (you are {role}).</p>
            <p>
              <a href="/" style={{ color: "var(--accent)" }}>
                Back to the blotter
              </a>
            </p>
          </section>
        </main>
      ) : (
        <main className={isAdmin ? "layout with-ticket" : "layout"}>
          {isAdmin && (
            <div style={{ display: "flex", flexDirection: "column", gap: 12 }}>
              <form className="card ticket" onSubmit={onCreate} aria-label="New API key">
                <h2>New API key</h2>
                <label>
                  Name
                  <input name="name" required maxLength={64} placeholder="e.g. algo-desk-1" />
                </label>
                <label>
                  Role
                  <select name="role" defaultValue="trader">
                    <RoleOptions />
                  </select>
                </label>
                <fieldset
                  style={{
                    border: "1px solid var(--border)",
                    borderRadius: 6,
                    padding: "6px 8px",
                    display: "flex",
                    flexDirection: "column",
                    gap: 4,
                  }}
                >
                  <legend className="muted">Accounts (none checked = all)</legend>
                  {accounts.map((a) => (
                    <label key={a.id} style={rowLabel}>
                      <input type="checkbox" name="accountIds" value={a.id} /> {a.id} <span className="muted">{a.name}</span>
                    </label>
                  ))}
                </fieldset>
                <button type="submit" className="primary" disabled={create.isPending}>
                  {create.isPending ? "Creating…" : "Create key"}
                </button>
              </form>
              {created && (
                <section
                  className="card"
                  aria-label="New key secret"
                  style={{ display: "flex", flexDirection: "column", gap: 8, borderColor: "var(--warn)" }}
                >
                  <h2>Key “{created.name}” created</h2>
                  <p className="muted" style={{ margin: 0 }}>
                    Copy it now: it is shown only this once and cannot be recovered. Send it as{" "}
                    <span className="mono">Authorization: Bearer …</span>
                  </p>
                  <output
                    className="mono"
                    data-testid="api-key-secret"
                    style={{ wordBreak: "break-all", userSelect: "all", color: "#fff" }}
                  >
                    {created.secret}
                  </output>
                  <div style={{ display: "flex", gap: 8, alignItems: "center" }}>
                    <button type="button" className="small" onClick={() => copySecret(created.secret)}>
                      Copy
                    </button>
                    {copied && <span className="ok">Copied</span>}
                    <span className="spacer" />
                    <button type="button" className="small" onClick={() => setCreated(null)}>
                      Done
                    </button>
                  </div>
                </section>
              )}
            </div>
          )}
          <section className="card blotter" aria-label="API keys">
            <div className="toolbar">
              <h2>API keys</h2>
              {!isAdmin && <span className="muted">read only</span>}
              <span className="muted">{keys.data ? `${keys.data.keys.filter((k) => !k.revokedAt).length} active` : ""}</span>
            </div>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Prefix</th>
                    <th>Role</th>
                    <th>Accounts</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {(keys.data?.keys ?? []).map((k) => (
                    <tr key={k.id} data-key-id={k.id} data-key-name={k.name} data-status={k.revokedAt ? "revoked" : "active"}>
                      <td className="strong">{k.name}</td>
                      <td className="mono">fm_{k.prefix}_…</td>
                      <td>{k.role}</td>
                      <td>{k.accountIds.length > 0 ? k.accountIds.join(", ") : <span className="muted">all</span>}</td>
                      <td title={`by ${k.createdBy}`}>
                        {formatWhen(k.createdAt)} <span className="muted">{k.createdBy}</span>
                      </td>
                      <td>{formatWhen(k.lastUsedAt)}</td>
                      <td>
                        {k.revokedAt ? (
                          <span className="status status-cancelled" title={`${formatWhen(k.revokedAt)} by ${k.revokedBy ?? "?"}`}>
                            Revoked
                          </span>
                        ) : (
                          <span className="status status-accepted">Active</span>
                        )}
                      </td>
                      <td>
                        {isAdmin && !k.revokedAt && (
                          <button
                            type="button"
                            className="small"
                            aria-label={confirming === k.id ? `Confirm revoke ${k.name}` : `Revoke ${k.name}`}
                            disabled={revoke.isPending}
                            onClick={() => onRevoke(k.id)}
                            onBlur={() => setConfirming((c) => (c === k.id ? null : c))}
                          >
                            {confirming === k.id ? "Confirm revoke" : "Revoke"}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                  {keys.data && keys.data.keys.length === 0 && (
                    <tr>
                      <td colSpan={8} className="empty">
                        No API keys yet.
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
