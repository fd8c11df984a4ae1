"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { COLUMN_BY_ID, COLUMNS, DEFAULT_COLUMNS } from "./columns";

const STORAGE_KEY = "fillmore.blotter.columns.v1";

function readStored(): string[] {
  if (typeof window === "undefined") return [...DEFAULT_COLUMNS];
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return [...DEFAULT_COLUMNS];
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return [...DEFAULT_COLUMNS];
    const ids = parsed.filter((id): id is string => typeof id === "string" && COLUMN_BY_ID.has(id));
    for (const c of COLUMNS) if (c.required && !ids.includes(c.id)) ids.push(c.id);
    return ids;
  } catch {
    return [...DEFAULT_COLUMNS];
  }
}

/** The visible column ids, kept in localStorage (per browser, not per user). */
export function useVisibleColumns(): [readonly string[], (id: string, on: boolean) => void, () => void] {
  const [visible, setVisible] = useState<readonly string[]>(readStored);
  const save = useCallback((ids: readonly string[]) => {
    setVisible(ids);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
    } catch {
      // storage full or disabled: the choice lasts for this page only
    }
  }, []);
  const toggle = useCallback(
    (id: string, on: boolean) => {
      const next = new Set(visible);
      if (on) next.add(id);
      else if (!COLUMN_BY_ID.get(id)?.required) next.delete(id);
      // Keep the table's column order, whatever the order of clicks.
      save(COLUMNS.filter((c) => next.has(c.id)).map((c) => c.id));
    },
    [visible, save],
  );
  const reset = useCallback(() => save([...DEFAULT_COLUMNS]), [save]);
  return [visible, toggle, reset];
}

interface ChooserProps {
  visible: readonly string[];
  onToggle: (id: string, on: boolean) => void;
  onReset: () => void;
}

export function ColumnChooser({ visible, onToggle, onReset }: ChooserProps) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);
  const shown = new Set(visible);
  return (
    <div className="column-chooser" ref={box}>
      <button type="button" className="small" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen(!open)}>
        Columns
      </button>
      {open && (
        <fieldset className="column-menu" aria-label="Choose columns">
          {COLUMNS.map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={shown.has(c.id)} disabled={c.required} onChange={(e) => onToggle(c.id, e.target.checked)} />
              {c.label}
            </label>
          ))}
          <button type="button" className="small" onClick={onReset}>
            Default columns
          </button>
        </fieldset>
      )}
    </div>
  );
}
