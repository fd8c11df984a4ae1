"use client";
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { errorText } from "../../lib/use-session";
import { adoptable, type Break, CAUSE_LABEL, signed, sourceLabel } from "./labels";

/** Adopting changes our books: it needs a real sentence (the server says the same). */
export const ADOPT_MIN_REASON = 10;

interface ChoiceDialogProps<A extends string> {
  label: string;
  title: ReactNode;
  summary: ReactNode;
  choices: { value: A; label: string; hint: string; disabled?: string }[];
  /** The choice selected on opening (else the first one allowed). */
  initial?: A;
  /** Shortest reason per choice (1: required). */
  minReason: (action: A) => number;
  submitLabel: string;
  onSubmit: (action: A, reason: string) => Promise<unknown>;
  onClose: () => void;
}

/** A decision with a required reason: the choices, the reason, and the server's answer if it refuses. */
function ChoiceDialog<A extends string>({
  label,
  title,
  summary,
  choices,
  initial,
  minReason,
  submitLabel,
  onSubmit,
  onClose,
}: ChoiceDialogProps<A>) {
  const [action, setAction] = useState<A | null>(initial ?? choices.find((c) => !c.disabled)?.value ?? null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    field.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closeRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!action) return;
    const why = reason.trim();
    const min = minReason(action);
    if (why.length < min) {
      setError(min > 1 ? `reason: at least ${min} characters saying why` : "reason: say why");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await onSubmit(action, why);
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="overlay">
      <form className="card dialog recon-dialog" role="dialog" aria-modal="true" aria-label={label} onSubmit={submit} noValidate>
        <h2>{title}</h2>
        <div className="recon-summary">{summary}</div>
        <fieldset className="recon-choices">
          <legend className="visually-hidden">Decision</legend>
          {choices.map((c) => (
            <label key={c.value} className={`recon-choice ${c.disabled ? "disabled" : ""}`}>
              <input
                type="radio"
                name="action"
                value={c.value}
                checked={action === c.value}
                disabled={c.disabled !== undefined}
                onChange={() => {
                  setAction(c.value);
                  setError(null);
                }}
              />
              <span>
                <span className="strong">{c.label}</span>
                <span className="hint-line">{c.disabled ?? c.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label>
          Reason (required{action && minReason(action) > 1 ? `, ${minReason(action)}+ characters` : ""})
          <textarea
            ref={field}
            name="reason"
            rows={3}
            maxLength={1000}
            value={reason}
            aria-invalid={error?.startsWith("reason") ? true : undefined}
            onChange={(e) => {
              setReason(e.target.value);
              setError(null);
            }}
            placeholder="what you checked and with whom"
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={pending || action === null}>
            {submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

export type ResolveAction = "adopt" | "investigated";

/** Resolve a break: adopt the broker's view (journaled adjusting entry) or mark it investigated, always saying why. */
export function ResolveDialog({
  brk,
  onResolve,
  onClose,
}: {
  brk: Break;
  onResolve: (action: ResolveAction, note: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const adopt = adoptable(brk);
  return (
    <ChoiceDialog<ResolveAction>
      label={`Resolve ${brk.breakId}`}
      title={`Resolve ${brk.breakId}`}
      summary={
        <dl className="fields">
          <div>
            <dt>Account / symbol</dt>
            <dd>
              {brk.accountId ?? "every account"} · {brk.symbol ?? "—"}
            </dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd>{sourceLabel(brk.source)}</dd>
          </div>
          <div>
            <dt>Ours → broker's</dt>
            <dd>
              {brk.kind === "order" ? brk.ours : signed(brk.ours)} → {brk.kind === "order" ? brk.theirs : signed(brk.theirs)}
            </dd>
          </div>
          <div>
            <dt>Suggested cause</dt>
            <dd title={brk.explanation}>{CAUSE_LABEL[brk.cause]}</dd>
          </div>
        </dl>
      }
      choices={[
        { value: "adopt", label: "Adopt the broker's view", hint: adopt.ok ? adopt.what : "", disabled: adopt.ok ? undefined : adopt.why },
        { value: "investigated", label: "Mark investigated", hint: "our books stay as they are; the note is journaled" },
      ]}
      minReason={(a) => (a === "adopt" ? ADOPT_MIN_REASON : 1)}
      submitLabel="Resolve"
      onSubmit={onResolve}
      onClose={onClose}
    />
  );
}

export type SettleOutcome = "cancelled" | "venue";

/** Settle an order whose fate is unknown: cancelled with a reason, or the venue's answer booked. */
export function SettleDialog({
  order,
  initial,
  onSettle,
  onClose,
}: {
  order: { orderId: string; clOrdId: string; accountId: string; symbol: string; side: string; ordStatus: string; venueId: string | null };
  initial: SettleOutcome;
  onSettle: (outcome: SettleOutcome, reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const choices: { value: SettleOutcome; label: string; hint: string }[] = [
    { value: "cancelled", label: "Mark it cancelled", hint: "journaled as cancelled by you, with the reason" },
    { value: "venue", label: "Adopt the venue's answer", hint: `ask ${order.venueId ?? "the venue"} now and book what it says` },
  ];
  return (
    <ChoiceDialog<SettleOutcome>
      label={`Settle ${order.clOrdId}`}
      title={`Settle ${order.clOrdId}`}
      summary={
        <p className="muted">
          {order.side} {order.symbol} on {order.accountId} at {order.venueId ?? "?"}, {order.ordStatus} with no known outcome.
        </p>
      }
      choices={choices}
      initial={initial}
      minReason={() => 1}
      submitLabel="Settle"
      onSubmit={onSettle}
      onClose={onClose}
    />
  );
}
