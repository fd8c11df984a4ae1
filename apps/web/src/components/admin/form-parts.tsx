"use client";

import type { ReactNode } from "react";

/**
 * The end of every reference-data form: the journaled reason, what the last save said, and the Save
 * button beside any buttons the form adds (New, Test connection).
 */
export function SaveWithReason(props: {
  reason: string;
  onReason: (reason: string) => void;
  error: string | null;
  saved: string | null;
  pending: boolean;
  children?: ReactNode;
}) {
  return (
    <>
      <label>
        Reason (journaled)
        <input
          name="reason"
          value={props.reason}
          onChange={(e) => props.onReason(e.target.value)}
          placeholder="why, at least 10 characters"
        />
      </label>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
      {props.saved && (
        <p className="ok" role="status">
          {props.saved}
        </p>
      )}
      <div style={{ display: "flex", gap: 8 }}>
        <button type="submit" className="primary" disabled={props.pending}>
          {props.pending ? "Saving…" : "Save"}
        </button>
        {props.children}
      </div>
    </>
  );
}

/** What a reader without the admin role sees in place of a form. */
export function ReadOnlyNotice({ label, title, what }: { label: string; title: string; what: string }) {
  return (
    <section className="card ticket" aria-label={label}>
      <h2>{title}</h2>
      <p className="muted">Read only: {what} needs the admin role.</p>
    </section>
  );
}
