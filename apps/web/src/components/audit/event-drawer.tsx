"use client";
import { useEffect, useRef } from "react";
import type { AuditRow } from "./summary";

/** A side drawer with one journaled event: its envelope, its data as JSON, its chain links. */
export function EventDrawer({ event, onClose }: { event: AuditRow; onClose: () => void }) {
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closeRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const { prevHash, hash, ...rest } = event;
  return (
    <aside className="card audit-drawer" role="dialog" aria-label={`Event ${event.seq}`}>
      <div className="toolbar">
        <h2>
          Event <span className="mono">#{event.seq}</span>
        </h2>
        <span className="muted">{event.type}</span>
        <span className="spacer" />
        <button type="button" className="small" onClick={onClose} aria-label="Close event">
          Close
        </button>
      </div>
      <pre className="json" data-testid="event-json">
        {JSON.stringify(rest, null, 2)}
      </pre>
      <dl className="fields">
        <div>
          <dt>prev hash</dt>
          <dd className="mono" title={prevHash}>
            {prevHash}
          </dd>
        </div>
        <div>
          <dt>hash</dt>
          <dd className="mono" title={hash}>
            {hash}
          </dd>
        </div>
      </dl>
    </aside>
  );
}
