"use client";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { errorText } from "../../lib/use-session";

/** Acknowledge (note optional) or resolve (note required) one alert; shows the server's refusal if any. */
export function AlertActionDialog({
  action,
  alert,
  onSubmit,
  onClose,
}: {
  action: "acknowledge" | "resolve";
  alert: { alertId: string; code: string; message: string };
  onSubmit: (note: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [note, setNote] = useState("");
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
    const text = note.trim();
    if (action === "resolve" && text.length === 0) {
      setError("note: say why it is resolved");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await onSubmit(text);
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setPending(false);
    }
  }

  const verb = action === "acknowledge" ? "Acknowledge" : "Resolve";
  return (
    <div className="overlay">
      <form className="card dialog alert-dialog" role="dialog" aria-modal="true" aria-label={`${verb} alert`} onSubmit={submit} noValidate>
        <h2>
          {verb} {alert.alertId}
        </h2>
        <p>
          <strong>{alert.code}</strong>: {alert.message}
        </p>
        <label>
          Note {action === "resolve" ? "(required)" : "(optional)"}
          <textarea
            ref={field}
            name="note"
            rows={3}
            maxLength={1000}
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              setError(null);
            }}
            placeholder={action === "acknowledge" ? "what you are doing about it" : "what was done, and why it is over"}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={pending}>
            {pending ? "Saving…" : verb}
          </button>
        </div>
      </form>
    </div>
  );
}
