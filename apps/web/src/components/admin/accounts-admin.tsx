"use client";
import { accountSchema, changeReason } from "@fillmore/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { issuesText, messageOf } from "./admin-shell";
import { ReadOnlyNotice, SaveWithReason } from "./form-parts";

/** Trading accounts: open one (usable by orders at once) or rename it. */
export function AccountsAdmin({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.accounts.list.queryOptions());
  const upsert = useMutation(trpc.admin.accounts.upsert.mutationOptions());
  const [draft, setDraft] = useState({ id: "", name: "" });
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const checked = accountSchema.safeParse({ id: draft.id.trim(), name: draft.name });
    if (!checked.success) return setError(issuesText(checked.error.issues));
    const why = changeReason.safeParse(reason);
    if (!why.success) return setError(`reason: ${why.error.issues[0]?.message ?? "required"}`);
    try {
      const result = await upsert.mutateAsync({ account: checked.data, reason: why.data });
      setError(null);
      setSaved(`${result.account.id} saved`);
      setReason("");
      await list.refetch();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const accounts = list.data?.accounts ?? [];
  return (
    <main className="layout with-ticket">
      {canWrite ? (
        <form className="card ticket" onSubmit={onSave} aria-label="Account">
          <h2>{accounts.some((a) => a.id === draft.id) ? `Rename ${draft.id}` : "Open an account"}</h2>
          <label>
            Id
            <input name="id" value={draft.id} onChange={(e) => setDraft({ ...draft, id: e.target.value })} placeholder="e.g. ACC-DELTA" />
          </label>
          <label>
            Name
            <input name="name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          </label>
          <SaveWithReason reason={reason} onReason={setReason} error={error} saved={saved} pending={upsert.isPending} />
        </form>
      ) : (
        <ReadOnlyNotice label="Account" title="Accounts" what="opening accounts" />
      )}
      <section className="card blotter" aria-label="Accounts">
        <div className="toolbar">
          <h2>Accounts</h2>
          <span className="muted">{accounts.length} rows</span>
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id} data-account-id={a.id}>
                  <td className="strong mono">{a.id}</td>
                  <td>{a.name}</td>
                  <td>
                    {canWrite && (
                      <button type="button" className="small" onClick={() => setDraft(a)}>
                        Rename
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </main>
  );
}
